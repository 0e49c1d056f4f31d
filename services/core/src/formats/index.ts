// Ingest formats: parse and validate input files into the shapes in types.ts. Pure: no database access.

export {
  type Barcode,
  parseBarcode,
  patientOf,
  type SampleCategory,
  type SampleType,
  sampleCategory,
  sampleHeader,
  sampleType,
} from './barcode.ts';
export {
  type ClinicalOptions,
  DAYS_PER_MONTH,
  EVENT_COLUMNS,
  ID_COLUMNS,
  parseClinical,
  parseEvent,
  TIME_COLUMNS,
} from './clinical.ts';
export { type CountsOptions, parseCountsMatrix } from './counts.ts';
export {
  classifyTable,
  type FileFormat,
  type FormatGuess,
  INGEST_COMMAND,
  sniffFile,
  sniffFormat,
  wrongFormatError,
} from './detect.ts';
export {
  GDC_UNIT_COLUMNS,
  type GdcOptions,
  type GdcSampleSheet,
  type GdcSheetRow,
  type GdcUnit,
  parseGdc,
  parseGdcSampleSheet,
} from './gdc.ts';
export { formatLocation, InputError, type InputErrorDetails, isInputError } from './inputError.ts';
export { cancerTypeFromFileName, type MatrixOptions, parseGeneMatrix } from './matrix.ts';
export { RowPool } from './rowPool.ts';
export {
  type Compression,
  delimiterName,
  detectCompression,
  LineReader,
  openTable,
  parseDelimiter,
  splitCells,
  Table,
  type TableOptions,
} from './table.ts';
export * from './types.ts';
export { isMissing, MISSING_VALUES, parseNumber } from './values.ts';
export { parseXenaMatrix, parseXenaMatrix as parseXena, type XenaOptions } from './xena.ts';
