// The shapes every ingest format parses into. Parsers validate and resolve; they never touch the database.
import { ExpressionUnit as UNIT } from '../db/generated/enums.ts';

/** A unit an expression value can be in: the Prisma schema's enum ExpressionUnit. */
export type ExpressionUnit = (typeof UNIT)[keyof typeof UNIT];

/** Every unit, in the schema's order, as the commands list them. */
export const EXPRESSION_UNITS = Object.values(UNIT) as [ExpressionUnit, ...ExpressionUnit[]];

/** Units whose stored values are log2 values already. */
export const LOG2_UNITS: ReadonlySet<ExpressionUnit> = new Set([
  'LOG2_COUNT_PLUS1',
  'LOG2_TPM_PLUS1',
  'LOG2_FPKM_PLUS1',
  'LOG2_OTHER',
]);

/**
 * Units normalised for library size (per million, per kilobase): read as log2(x + 1), never as CPM; in the
 * order the model prefers them for a sample without raw counts.
 */
export const NORMALISED_UNITS: readonly ExpressionUnit[] = ['RSEM', 'TPM', 'FPKM', 'FPKM_UQ'];

/** Integer units are stored exactly as uint32; all others (RSEM, TPM, FPKM, log2 values) as float32 with NaN for missing. */
export const COUNT_UNITS: ReadonlySet<ExpressionUnit> = new Set(['RAW_COUNT']);

/** A gene as the platform knows it: unversioned Ensembl ID plus what GENCODE v36 says about it. */
export interface ResolvedGene {
  ensemblId: string; // e.g. ENSG00000141510 (never versioned)
  version: number | null; // e.g. 17 from ENSG00000141510.17, when the file or the reference gives one
  symbol: string | null; // HGNC symbol, e.g. TP53
  geneType: string | null; // e.g. protein_coding
}

/** One row of values per gene, samples along the row. Counts use Uint32Array, other units Float32Array. */
export type ValueRow = Float32Array | Uint32Array;

/** A parsed, validated genes x samples matrix in one unit. */
export interface ParsedMatrix {
  file: string; // the path given by the user
  unit: ExpressionUnit;
  cancerType: string | null; // e.g. ACC from TCGA_ACC_Counts.exp.gz, or --cancer-type; null when unknown
  samples: SampleHeader[]; // one per column, in file order
  genes: ResolvedGene[]; // one per kept row, in file order (rows whose gene could not be resolved are dropped)
  rows: ValueRow[]; // rows[g][s]: value of genes[g] in samples[s]; rows.length === genes.length
  unmapped: string[]; // gene identifiers from the file that could not be resolved (reported, not stored)
  warnings: string[]; // human-readable, each naming file and line where it applies
  entrezMapped?: number; // gene identifiers that were NCBI Entrez Gene IDs mapped to GENCODE v36 (`ingest table`)
}

/** A sample column header, parsed from a TCGA-style barcode (or any other ID, kept as is). */
export interface SampleHeader {
  column: number; // 1-based column in the file (for error messages)
  aliquotBarcode: string; // the header cell as written, e.g. TCGA-OR-A5L9-01A-11R-A29S-07
  sampleBarcode: string; // first 15 characters for TCGA-style barcodes (TCGA-OR-A5L9-01), else the ID
  patientBarcode: string; // first 12 characters for TCGA-style barcodes (TCGA-OR-A5L9), else the ID
  sampleTypeCode: string | null; // characters 14-15, e.g. 01; null when the ID is not TCGA-style
  projectId: string | null; // e.g. TCGA-ACC when known (GDC sample sheet), else null
  sourceFile?: string; // the per-sample file this column was read from (GDC downloads); absent for matrix files
  cancerType?: string | null; // this sample's cancer type (a table's attribute column or sample sidecar); else the matrix's
  line?: number; // 1-based line of the sample in a samples-as-rows table (for error messages)
}

/** One parsed clinical row, survival normalised to days. */
export interface ClinicalRecord {
  line: number; // 1-based line in the file
  patientBarcode: string;
  cancerType: string | null;
  osDays: number | null; // overall survival time converted to days (months x 30.4375)
  osEvent: 0 | 1 | null; // 1 = died
  fields: Record<string, string>; // every other column, as text (NA/empty dropped)
}

export interface ParsedClinical {
  file: string;
  shape: 'xena' | 'cbioportal' | 'pancan_os' | 'generic';
  timeUnit: 'days' | 'months';
  records: ClinicalRecord[];
  warnings: string[];
  /** False when the table has no survival columns (attributes only): stored survival is left as it is. */
  hasSurvival?: boolean;
}
