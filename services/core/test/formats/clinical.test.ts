import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAYS_PER_MONTH, parseClinical, parseEvent } from '../../src/formats/clinical.ts';
import { expectInputError, matrixText, sharedFile, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

function zcatRows(file: string): string[][] {
  return execFileSync('zcat', [file], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

describe('parseClinical: real tables', () => {
  it('the pan-cancer OS table: 11,165 patients, 10,891 with usable OS, values as in the file', async () => {
    const file = sharedFile('tcga', 'clinical', 'tcga_pancan_os.tsv.gz');
    const c = await parseClinical(file);
    expect(c.shape).toBe('pancan_os');
    expect(c.timeUnit).toBe('days');
    expect(c.records.length).toBe(11_165);
    const usable = c.records.filter((r) => r.osDays !== null && r.osEvent !== null);
    expect(usable.length).toBe(10_891); // as ../shared/data/README.md documents
    // Independent read: every row's patient, cancer type, time and event.
    const [header, ...rows] = zcatRows(file);
    const col = (name: string): number => header!.indexOf(name);
    expect(rows.length).toBe(11_165);
    rows.forEach((row, i) => {
      const r = c.records[i]!;
      expect(r.line).toBe(i + 2);
      expect(r.patientBarcode).toBe(row[col('patient')]);
      expect(r.cancerType).toBe(row[col('cancer_type')] === 'NA' ? null : row[col('cancer_type')]);
      const time = row[col('OS_time_days')]!;
      const expectedDays = time === 'NA' || Number(time) < 0 ? null : Number(time);
      expect(r.osDays).toBe(expectedDays);
      const event = row[col('OS_event')]!;
      expect(r.osEvent).toBe(event === 'NA' ? null : Number(event));
    });
    expect(usable.filter((r) => r.osEvent === 1).length).toBe(
      rows.filter(
        (r) =>
          r[col('OS_time_days')] !== 'NA' &&
          Number(r[col('OS_time_days')]) >= 0 &&
          r[col('OS_event')] === '1',
      ).length,
    );
    expect(c.records[0]!.fields).toEqual({ vital_status: 'Dead', days_to_death: '1355' });
    // The ten negative follow-up times of the real table are read as missing, each line named.
    const negatives = rows.flatMap((r, i) => (Number(r[col('OS_time_days')]) < 0 ? [i + 2] : []));
    expect(negatives.length).toBe(10);
    const warning = c.warnings.find((w) => w.includes('negative survival time'));
    expect(warning).toMatch(/10 negative survival time\(s\)/);
    for (const line of negatives) expect(warning).toContain(`line ${line}:`);
  });

  it('the STAD clinical table (generic shape, time in months with --time-unit months)', async () => {
    const file = sharedFile('tcga', 'stad_immune', 'stad_clinical.tsv.gz');
    const c = await parseClinical(file, { timeUnit: 'months', cancerType: 'STAD' });
    expect(c.shape).toBe('generic');
    expect(c.timeUnit).toBe('months');
    expect(c.records.length).toBe(350);
    expect(c.records.filter((r) => r.osDays !== null && r.osEvent !== null).length).toBe(348);
    const [header, ...rows] = zcatRows(file);
    rows.forEach((row, i) => {
      const r = c.records[i]!;
      expect(r.patientBarcode).toBe(row[header!.indexOf('ID')]);
      expect(r.cancerType).toBe('STAD');
      const months = row[header!.indexOf('time')]!;
      expect(r.osDays).toBe(months === 'NA' ? null : Number(months) * DAYS_PER_MONTH);
      const status = row[header!.indexOf('OS_status')]!;
      expect(r.osEvent).toBe(status === 'NA' ? null : Number(status));
    });
    expect(c.records[0]!.fields.Lauren).toBe('Mixed');
    expect('subtype' in c.records[0]!.fields).toBe(false); // NA dropped
  });

  it('the STAD table without a time unit: asks for --time-unit', async () => {
    const file = sharedFile('tcga', 'stad_immune', 'stad_clinical.tsv.gz');
    await expectInputError(parseClinical(file), {
      file,
      line: 1,
      column: 9,
      problem: /'time' does not say whether it is in days or months/,
      fix: /--time-unit days or --time-unit months/,
    });
  });
});

describe('parseClinical: shapes', () => {
  it('Xena: sample/_PATIENT, OS, OS.time (days), cancer type abbreviation', async () => {
    const file = await tmp.write(
      'xena_clinical.tsv',
      [
        'sample\t_PATIENT\tcancer type abbreviation\tOS\tOS.time\tgender',
        'TCGA-OR-A5J1-01\tTCGA-OR-A5J1\tACC\t1\t1355\tMALE',
        'TCGA-OR-A5J2-01\tTCGA-OR-A5J2\tACC\t0\t2091.5\tFEMALE',
        'TCGA-OR-A5J3-01\tTCGA-OR-A5J3\tACC\t\t\t',
        '',
      ].join('\n'),
    );
    const c = await parseClinical(file);
    expect(c.shape).toBe('xena');
    expect(c.records.map((r) => [r.line, r.patientBarcode, r.cancerType, r.osDays, r.osEvent])).toEqual([
      [2, 'TCGA-OR-A5J1', 'ACC', 1355, 1],
      [3, 'TCGA-OR-A5J2', 'ACC', 2091.5, 0],
      [4, 'TCGA-OR-A5J3', 'ACC', null, null],
    ]);
    expect(c.records[0]!.fields).toEqual({ sample: 'TCGA-OR-A5J1-01', gender: 'MALE' });
    expect(c.warnings.join('\n')).toMatch(/1 row\(s\) have no survival/);
  });

  it('Xena with only sample barcodes: the patient is the barcode prefix', async () => {
    const file = await tmp.write('xena_survival.txt', 'sample\tOS\tOS.time\nTCGA-OR-A5J1-01\t1\t1355\n');
    const c = await parseClinical(file);
    expect(c.records[0]!.patientBarcode).toBe('TCGA-OR-A5J1');
  });

  it('cBioPortal: # header lines, PATIENT_ID, OS_STATUS 1:DECEASED / 0:LIVING, OS_MONTHS', async () => {
    const file = await tmp.write(
      'data_clinical_patient.txt',
      [
        '#Patient Identifier\tOverall Survival Status\tOverall Survival (Months)\tSex',
        '#Identifier to uniquely denote a patient.\tOverall patient survival status.\tOverall survival in months.\tSex',
        '#STRING\tSTRING\tNUMBER\tSTRING',
        '#1\t1\t1\t1',
        'PATIENT_ID\tOS_STATUS\tOS_MONTHS\tSEX',
        'TCGA-OR-A5J1\t1:DECEASED\t44.5\tMale',
        'TCGA-OR-A5J2\t0:LIVING\t12\tFemale',
        'TCGA-OR-A5J3\tDECEASED\t[Not Available]\tFemale',
        '',
      ].join('\n'),
    );
    const c = await parseClinical(file, { cancerType: 'ACC' });
    expect(c.shape).toBe('cbioportal');
    expect(c.timeUnit).toBe('months');
    expect(c.records.map((r) => [r.line, r.patientBarcode, r.cancerType, r.osDays, r.osEvent])).toEqual([
      [6, 'TCGA-OR-A5J1', 'ACC', 44.5 * 30.4375, 1],
      [7, 'TCGA-OR-A5J2', 'ACC', 12 * 30.4375, 0],
      [8, 'TCGA-OR-A5J3', 'ACC', null, 1],
    ]);
  });

  it('GDC clinical.tsv: OS derived from vital_status, days_to_death, days_to_last_follow_up', async () => {
    const file = await tmp.write(
      'clinical.tsv',
      [
        'case_submitter_id\tproject_id\tvital_status\tdays_to_death\tdays_to_last_follow_up',
        "TCGA-OR-A5J1\tTCGA-ACC\tDead\t1355\t'--",
        "TCGA-OR-A5J2\tTCGA-ACC\tAlive\t'--\t2091",
        "TCGA-OR-A5J3\tTCGA-ACC\tMaybe\t'--\t'--",
        '',
      ].join('\n'),
    );
    await expectInputError(parseClinical(file), {
      file,
      line: 4,
      column: 3,
      problem: /'Maybe' in column vital_status/,
    });
    const fixed = await tmp.write(
      'clinical-fixed.tsv',
      readFileSync(file, 'utf8').replace('Maybe', 'Not Reported'),
    );
    const c = await parseClinical(fixed);
    expect(c.shape).toBe('generic');
    expect(c.records.map((r) => [r.patientBarcode, r.cancerType, r.osDays, r.osEvent])).toEqual([
      ['TCGA-OR-A5J1', 'ACC', 1355, 1],
      ['TCGA-OR-A5J2', 'ACC', 2091, 0],
      ['TCGA-OR-A5J3', 'ACC', null, null],
    ]);
  });

  it('generic: ID with OS / OS.time (days, the Xena convention) and a default cancer type', async () => {
    const file = await tmp.write(
      'generic.csv',
      'ID,OS,OS.time,stage\nTCGA-OR-A5J1,1,1355,II\nTCGA-OR-A5J2,0,NA,\n',
    );
    const c = await parseClinical(file, { cancerType: 'ACC' });
    expect(c.shape).toBe('generic');
    expect(c.timeUnit).toBe('days');
    expect(c.records.map((r) => [r.patientBarcode, r.cancerType, r.osDays, r.osEvent, r.fields])).toEqual([
      ['TCGA-OR-A5J1', 'ACC', 1355, 1, { stage: 'II' }],
      ['TCGA-OR-A5J2', 'ACC', null, 0, {}],
    ]);
  });

  it('event values', () => {
    expect(
      ['1', '0', '1:DECEASED', '0:LIVING', 'Dead', 'alive', 'DECEASED', 'LIVING', 'NA', '', 'true'].map(
        parseEvent,
      ),
    ).toEqual([1, 0, 1, 0, 1, 0, 1, 0, null, null, 1]);
    expect(parseEvent('2')).toBeUndefined();
    expect(parseEvent('maybe')).toBeUndefined();
  });
});

describe('parseClinical: bad input', () => {
  const pancan = (rows: string[]): string =>
    `${['patient\tcancer_type\tvital_status\tdays_to_death\tdays_to_last_followup\tOS_time_days\tOS_event', ...rows].join('\n')}\n`;

  it('bad event value: line, column and accepted values', async () => {
    const file = await tmp.write(
      'bad-event.tsv',
      pancan(['TCGA-OR-A5J1\tACC\tDead\t1355\tNA\t1355\t1', 'TCGA-OR-A5J2\tACC\tAlive\tNA\t10\t10\tyes']),
    );
    await expectInputError(parseClinical(file), {
      file,
      line: 3,
      column: 7,
      problem: /'yes' in column OS_event is not an event value/,
      fix: /write 1 \(died\) or 0 \(alive at last follow-up\).*1:DECEASED\/0:LIVING/,
    });
  });

  it('negative times (more than a stray few)', async () => {
    const file = await tmp.write(
      'negative.tsv',
      pancan(['TCGA-OR-A5J1\tACC\tDead\t1355\tNA\t1355\t1', 'TCGA-OR-A5J2\tACC\tAlive\tNA\t-40\t-40\t0']),
    );
    await expectInputError(parseClinical(file), {
      file,
      line: 3,
      column: 6,
      problem: /survival time -40 in column OS_time_days is negative \(1 of 2 times in the file are\)/,
      fix: /cannot be negative: fix the values or write NA/,
    });
    const lenient = await parseClinical(file, { negativeTimes: 'missing' });
    expect(lenient.records[1]!.osDays).toBeNull();
  });

  it('non-numeric time', async () => {
    const file = await tmp.write(
      'text-time.tsv',
      pancan(['TCGA-OR-A5J1\tACC\tDead\t1355\tNA\tabout a year\t1']),
    );
    await expectInputError(parseClinical(file), {
      file,
      line: 2,
      column: 6,
      problem: /'about a year' .* is not a number/,
    });
  });

  it('a counts matrix given to ingest clinical', async () => {
    const file = await tmp.write('counts-as-clinical.tsv', matrixText());
    await expectInputError(parseClinical(file), {
      file,
      line: 1,
      column: undefined,
      problem: /looks like a raw-counts matrix .*not a clinical table/,
      fix: /use `gexbert ingest counts <file>`/,
    });
  });

  it('a real counts matrix (gzip) given to ingest clinical', async () => {
    const file = sharedFile('tcga', 'counts', 'TCGA_CHOL_Counts.exp.gz');
    await expectInputError(parseClinical(file), { file, line: 1, fix: /gexbert ingest counts/ });
  });

  it('no recognisable ID or survival columns: lists the columns found and the accepted names', async () => {
    const file = await tmp.write('no-survival.tsv', 'barcode_x\tstage\tgrade\nTCGA-OR-A5J1\tII\tG2\n');
    await expectInputError(parseClinical(file), {
      file,
      line: 1,
      problem:
        /no patient ID, survival time, event \(vital status\) column found \(columns: barcode_x, stage, grade\)/,
      fix: /accepted names \(IDs: _patient, patient_id, .*times: os_time_days, .*events: os_event/,
    });
  });

  it('an empty patient ID', async () => {
    const file = await tmp.write('empty-id.tsv', pancan(['\tACC\tDead\t1355\tNA\t1355\t1']));
    await expectInputError(parseClinical(file), {
      file,
      line: 2,
      column: 1,
      problem: /patient ID \(column patient\) is empty/,
    });
  });

  it('ragged row', async () => {
    const file = await tmp.write('ragged-clinical.tsv', pancan(['TCGA-OR-A5J1\tACC\tDead\t1355\tNA\t1355']));
    await expectInputError(parseClinical(file), {
      file,
      line: 2,
      problem: /6 cells but the header \(line 1\) has 7/,
    });
  });

  it('header only', async () => {
    const file = await tmp.write('clinical-header-only.tsv', pancan([]));
    await expectInputError(parseClinical(file), { file, line: 1, problem: /header but no rows/ });
  });

  it('empty file', async () => {
    const file = await tmp.write('clinical-empty.tsv.gz', '', { gzip: true });
    await expectInputError(parseClinical(file), { file, line: 1, problem: /the file is empty/ });
  });
});
