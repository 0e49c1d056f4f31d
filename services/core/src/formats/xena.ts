// `gexbert ingest xena`: UCSC Xena genomic matrices (genes x samples; first header cell such as `sample`,
// `Ensembl_ID` or `gene`; values usually log2(x + 1); `NA` or an empty cell for missing, stored as NaN).
// The unit defaults to LOG2_COUNT_PLUS1; pass the right one (LOG2_TPM_PLUS1, LOG2_FPKM_PLUS1, LOG2_OTHER
// for log2(x + 0.001) or centred data, TPM, ...). Negative values are accepted only for LOG2_OTHER and RSEM.

import { parseGeneMatrix } from './matrix.ts';
import type { ExpressionUnit, ParsedMatrix } from './types.ts';

export interface XenaOptions {
  /** Unit of the values (default LOG2_COUNT_PLUS1). */
  unit?: ExpressionUnit;
  /** Cancer type of every sample; default: `<TYPE>` from a `TCGA_<TYPE>_`/`TCGA-<TYPE>.` file name, else null. */
  cancerType?: string;
  /** Accept gene IDs unknown to GENCODE v36 as given. */
  allowUnknownGenes?: boolean;
  /** Force the delimiter; default: detected from the header. */
  delimiter?: string;
}

export function parseXenaMatrix(file: string, opts: XenaOptions = {}): Promise<ParsedMatrix> {
  return parseGeneMatrix(file, {
    unit: opts.unit ?? 'LOG2_COUNT_PLUS1',
    command: 'xena',
    ...(opts.cancerType === undefined ? {} : { cancerType: opts.cancerType }),
    ...(opts.allowUnknownGenes === undefined ? {} : { allowUnknownGenes: opts.allowUnknownGenes }),
    ...(opts.delimiter === undefined ? {} : { delimiter: opts.delimiter }),
  });
}
