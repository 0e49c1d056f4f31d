import { describe, expect, it } from 'vitest';
import {
  parseBarcode,
  patientOf,
  sampleCategory,
  sampleHeader,
  sampleType,
} from '../../src/formats/barcode.ts';

describe('barcodes', () => {
  it('parses a TCGA aliquot barcode: patient = 12, sample = 15 characters, type = characters 14-15', () => {
    const id = 'TCGA-OR-A5L9-01A-11R-A29S-07';
    expect(sampleHeader(id, 2)).toEqual({
      column: 2,
      aliquotBarcode: id,
      sampleBarcode: id.slice(0, 15),
      patientBarcode: id.slice(0, 12),
      sampleTypeCode: id.slice(13, 15),
      projectId: null,
    });
    expect(parseBarcode(id)).toMatchObject({
      project: 'TCGA',
      tss: 'OR',
      participant: 'A5L9',
      vial: 'A',
      dotted: false,
    });
  });

  it('parses the simulator barcodes the same way', () => {
    expect(sampleHeader('GXSM-AA-0001-11A-01R-0000-07', 5, 'SIM-1')).toEqual({
      column: 5,
      aliquotBarcode: 'GXSM-AA-0001-11A-01R-0000-07',
      sampleBarcode: 'GXSM-AA-0001-11',
      patientBarcode: 'GXSM-AA-0001',
      sampleTypeCode: '11',
      projectId: 'SIM-1',
    });
  });

  it('handles sample-level, patient-level, dotted and non-barcode IDs', () => {
    expect(sampleHeader('TCGA-3M-AB46-01A', 2)).toMatchObject({
      sampleBarcode: 'TCGA-3M-AB46-01',
      sampleTypeCode: '01',
    });
    expect(sampleHeader('TCGA-3M-AB46-01', 2)).toMatchObject({
      sampleBarcode: 'TCGA-3M-AB46-01',
      patientBarcode: 'TCGA-3M-AB46',
    });
    expect(sampleHeader('TCGA.OR.A5L9.01A.11R.A29S.07', 2)).toMatchObject({
      aliquotBarcode: 'TCGA.OR.A5L9.01A.11R.A29S.07',
      sampleBarcode: 'TCGA-OR-A5L9-01',
      patientBarcode: 'TCGA-OR-A5L9',
    });
    expect(sampleHeader('sample_17', 3)).toEqual({
      column: 3,
      aliquotBarcode: 'sample_17',
      sampleBarcode: 'sample_17',
      patientBarcode: 'sample_17',
      sampleTypeCode: null,
      projectId: null,
    });
    expect(patientOf('TCGA-OR-A5J1')).toBe('TCGA-OR-A5J1');
    expect(patientOf('TCGA-OR-A5J1-01A')).toBe('TCGA-OR-A5J1');
    expect(parseBarcode('TCGA-OR-A5J1-XYZ')).toBeNull();
  });

  it('names sample types and their categories', () => {
    expect(sampleType('01')).toEqual({ code: '01', name: 'Primary Solid Tumor', category: 'tumour' });
    expect(sampleType('06')).toEqual({ code: '06', name: 'Metastatic', category: 'tumour' });
    expect(sampleType('11')).toEqual({ code: '11', name: 'Solid Tissue Normal', category: 'normal' });
    expect(sampleType('10')).toEqual({ code: '10', name: 'Blood Derived Normal', category: 'normal' });
    expect(sampleType('20')).toEqual({ code: '20', name: 'Control Analyte', category: 'control' });
    expect(sampleType('19')?.category).toBe('normal');
    expect(sampleType('50')?.category).toBe('other');
    expect(sampleType(null)).toBeNull();
    expect(sampleCategory('09')).toBe('tumour');
  });
});
