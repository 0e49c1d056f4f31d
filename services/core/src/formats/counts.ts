// `gexbert ingest counts`: a genes x samples matrix of raw read counts, e.g. TCGA_<TYPE>_Counts.exp.gz
// (gzip or plain; tab- or comma-separated; first header cell anything or empty; gene IDs as Ensembl IDs,
// versioned or not, or HGNC symbols; TCGA-style barcodes as column headers). Values must be whole numbers
// >= 0 (stored as uint32). Another unit can be given (e.g. TPM in the same layout); values are then floats.

import { parseGeneMatrix } from './matrix.ts';
import type { ExpressionUnit, ParsedMatrix } from './types.ts';

export interface CountsOptions {
  /** Cancer type of every sample; default: `<TYPE>` from a `TCGA_<TYPE>_` file name, else null. */
  cancerType?: string;
  /** Accept gene IDs unknown to GENCODE v36 as given (synthetic data, e.g. SIMG00001). */
  allowUnknownGenes?: boolean;
  /** Unit of the values (default RAW_COUNT). */
  unit?: ExpressionUnit;
  /** Force the delimiter (tab, comma or a character); default: detected from the header. */
  delimiter?: string;
}

export function parseCountsMatrix(file: string, opts: CountsOptions = {}): Promise<ParsedMatrix> {
  return parseGeneMatrix(file, {
    unit: opts.unit ?? 'RAW_COUNT',
    command: 'counts',
    ...(opts.cancerType === undefined ? {} : { cancerType: opts.cancerType }),
    ...(opts.allowUnknownGenes === undefined ? {} : { allowUnknownGenes: opts.allowUnknownGenes }),
    ...(opts.delimiter === undefined ? {} : { delimiter: opts.delimiter }),
  });
}
