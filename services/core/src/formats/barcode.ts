// TCGA-style sample barcodes: <PROJECT>-<TSS 2>-<participant 4>-<sample type 2><vial letter>?[-<portion>...]
// e.g. TCGA-OR-A5L9-01A-11R-A29S-07: patient TCGA-OR-A5L9 (12 characters for TCGA), sample TCGA-OR-A5L9-01
// (15), sample type 01 = Primary Solid Tumor. Any project code works the same way (the simulator's
// GXSM-AA-0001-01A-01R-0000-07). IDs that are not barcodes are kept as they are (patient = sample = ID).
// Barcodes whose dashes were turned into dots (R's make.names: TCGA.OR.A5L9.01A) are recognised too; their
// patient and sample barcodes are given with dashes so they join clinical tables.

import type { SampleHeader } from './types.ts';

const BARCODE =
  /^([A-Za-z][A-Za-z0-9]*)([-.])([A-Za-z0-9]{2})\2([A-Za-z0-9]{4})(?:\2(\d{2})([A-Za-z])?(?:\2.*)?)?$/;

export interface Barcode {
  project: string; // TCGA
  tss: string; // OR (tissue source site)
  participant: string; // A5L9
  patientBarcode: string; // TCGA-OR-A5L9
  sampleTypeCode: string | null; // 01; null for a patient barcode (12 characters)
  vial: string | null; // A
  sampleBarcode: string | null; // TCGA-OR-A5L9-01; null for a patient barcode
  dotted: boolean; // written with dots instead of dashes
}

/** Parses a TCGA-style barcode (patient, sample or aliquot level); null when the ID is not one. */
export function parseBarcode(id: string): Barcode | null {
  const m = BARCODE.exec(id.trim());
  if (!m) return null;
  const [, project, sep, tss, participant, type, vial] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  const patientBarcode = `${project}-${tss}-${participant}`;
  return {
    project,
    tss,
    participant,
    patientBarcode,
    sampleTypeCode: type ?? null,
    vial: vial ?? null,
    sampleBarcode: type === undefined ? null : `${patientBarcode}-${type}`,
    dotted: sep === '.',
  };
}

/** A matrix column header as a SampleHeader (column is 1-based in the file). */
export function sampleHeader(id: string, column: number, projectId: string | null = null): SampleHeader {
  const trimmed = id.trim();
  const barcode = parseBarcode(trimmed);
  if (!barcode || barcode.sampleBarcode === null) {
    return {
      column,
      aliquotBarcode: trimmed,
      sampleBarcode: trimmed,
      patientBarcode: barcode?.patientBarcode ?? trimmed,
      sampleTypeCode: null,
      projectId,
    };
  }
  return {
    column,
    aliquotBarcode: trimmed,
    sampleBarcode: barcode.sampleBarcode,
    patientBarcode: barcode.patientBarcode,
    sampleTypeCode: barcode.sampleTypeCode,
    projectId,
  };
}

/** The patient barcode of a patient/sample/aliquot barcode, or the ID itself when it is not a barcode. */
export function patientOf(id: string): string {
  return parseBarcode(id)?.patientBarcode ?? id.trim();
}

export type SampleCategory = 'tumour' | 'normal' | 'control' | 'other';

export interface SampleType {
  code: string;
  name: string;
  category: SampleCategory;
}

// GDC / TCGA sample type codes (https://gdc.cancer.gov/resources-tcga-users/tcga-code-tables/sample-type-codes).
const SAMPLE_TYPE_NAMES: Readonly<Record<string, string>> = {
  '01': 'Primary Solid Tumor',
  '02': 'Recurrent Solid Tumor',
  '03': 'Primary Blood Derived Cancer - Peripheral Blood',
  '04': 'Recurrent Blood Derived Cancer - Bone Marrow',
  '05': 'Additional - New Primary',
  '06': 'Metastatic',
  '07': 'Additional Metastatic',
  '08': 'Human Tumor Original Cells',
  '09': 'Primary Blood Derived Cancer - Bone Marrow',
  '10': 'Blood Derived Normal',
  '11': 'Solid Tissue Normal',
  '12': 'Buccal Cell Normal',
  '13': 'EBV Immortalized Normal',
  '14': 'Bone Marrow Normal',
  '15': 'sample type 15',
  '16': 'sample type 16',
  '20': 'Control Analyte',
  '40': 'Recurrent Blood Derived Cancer - Peripheral Blood',
  '50': 'Cell Lines',
  '60': 'Primary Xenograft Tissue',
  '61': 'Cell Line Derived Xenograft Tissue',
  '99': 'sample type 99',
};

/** 01-09 (and 40) tumour, 10-19 normal, 20-29 control, anything else other. */
export function sampleCategory(code: string): SampleCategory {
  const n = /^\d{2}$/.test(code) ? Number(code) : -1;
  if ((n >= 1 && n <= 9) || n === 40) return 'tumour';
  if (n >= 10 && n <= 19) return 'normal';
  if (n >= 20 && n <= 29) return 'control';
  return 'other';
}

/** Name and category of a two-digit sample type code; null when the code is not two digits. */
export function sampleType(code: string | null): SampleType | null {
  if (code === null || !/^\d{2}$/.test(code)) return null;
  const category = sampleCategory(code);
  const name =
    SAMPLE_TYPE_NAMES[code] ??
    (category === 'tumour'
      ? `Tumor (type ${code})`
      : category === 'normal'
        ? `Normal (type ${code})`
        : category === 'control'
          ? `Control (type ${code})`
          : `sample type ${code}`);
  return { code, name, category };
}
