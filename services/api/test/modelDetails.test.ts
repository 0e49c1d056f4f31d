// Per-version files on the Models page: the training-loss curve (training-log.jsonl) and an attached
// `gexbert evaluate` report (evaluation/report.json), read from the checkpoint folder of each version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerModelVersion, SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support.ts';

const DETAILS = `query($id: ID!) { model(id: $id) { trainingCurve { epoch step trainLoss valLoss }
  evaluation { task method setting metric value spread lowerIsBetter } } }`;

let h: Harness;
let scratch: string;
const ids: Record<'shipped' | 'bare' | 'malformed' | 'training', string> = {
  shipped: '',
  bare: '',
  malformed: '',
  training: '',
};

/** The `eval` lines of a JSONL log, parsed here without the API's code. */
function evalLines(file: string): Record<string, number>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"eval"'))
    .map((line) => JSON.parse(line) as Record<string, number>);
}

async function details(id: string) {
  const res = await h.gql(DETAILS, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.model as {
    trainingCurve: Record<string, number | null>[];
    evaluation: Record<string, unknown>[];
  };
}

beforeAll(async () => {
  h = await startHarness([]);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-model-files-'));
  const config = JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8'));
  const register = async (
    name: string,
    checkpointPath: string,
    status: 'CANDIDATE' | 'TRAINING' = 'CANDIDATE',
  ) => String((await registerModelVersion(h.prisma, { name, checkpointPath, status, config })).id);
  ids.shipped = await register('shipped', SHIPPED_CHECKPOINT);
  const bare = path.join(scratch, 'bare');
  fs.mkdirSync(bare);
  ids.bare = await register('bare', bare);

  const malformed = path.join(scratch, 'malformed');
  fs.mkdirSync(path.join(malformed, 'evaluation'), { recursive: true });
  fs.writeFileSync(
    path.join(malformed, 'training-log.jsonl'),
    [
      '{"type":"eval","epoch":1,"step":9,"trainLoss":1.5,"valLoss":1.25}',
      '{"type":"eval","epoch":2,"step":18,"trainLo', // cut off mid-write
      'not json at all',
      '{"type":"eval","epoch":3,"step":27,"trainLoss":"high"}',
      '{"type":"step","step":30,"loss":0.9}',
      '{"type":"eval","epoch":4,"step":36,"trainLoss":0.75}',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(malformed, 'evaluation', 'report.json'),
    JSON.stringify([
      { task: 'imputation', method: 'mean', setting: 's', metric: 'pearson', value: 0.5, spread: null },
      { task: 'imputation', method: 'knn', setting: 's', metric: 'pearson', value: null, spread: null },
      { task: 'imputation', method: 7, setting: 's', metric: 'pearson', value: 0.1, spread: 0.01 },
      'row',
    ]),
  );
  ids.malformed = await register('malformed', malformed);

  // A TRAINING version registered under its final name: the worker writes the log into <name>.partial.
  const training = path.join(scratch, 'training-run');
  fs.mkdirSync(`${training}.partial`);
  fs.writeFileSync(
    path.join(`${training}.partial`, 'training-log.jsonl'),
    '{"type":"eval","epoch":1,"step":4,"trainLoss":1.1,"valLoss":1.05}\n',
  );
  ids.training = await register('training', training, 'TRAINING');
}, 300_000);

afterAll(async () => {
  await h?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('model version files', () => {
  it("gives the shipped model's training curve: every eval line of its training-log.jsonl", async () => {
    const expected = evalLines(path.join(SHIPPED_CHECKPOINT, 'training-log.jsonl'));
    expect(expected.length).toBeGreaterThan(10);
    const { trainingCurve } = await details(ids.shipped);
    expect(trainingCurve.length).toBe(expected.length);
    expect(trainingCurve).toEqual(
      expected.map((e) => ({ epoch: e.epoch, step: e.step, trainLoss: e.trainLoss, valLoss: e.valLoss })),
    );
  });

  it("gives the shipped model's attached evaluation report row for row", async () => {
    const file = path.join(SHIPPED_CHECKPOINT, 'evaluation', 'report.json');
    const expected = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    expect(expected.length).toBeGreaterThan(0);
    const { evaluation } = await details(ids.shipped);
    expect(evaluation.map(({ lowerIsBetter: _, ...r }) => r)).toEqual(expected);
    // Errors and p-values are better when smaller; accuracy, C and correlations when larger.
    const lower = (metric: string) =>
      evaluation.filter((r) => r.metric === metric).map((r) => r.lowerIsBetter);
    for (const metric of ['rmse (z)', 'log-rank p (median split)', 'ece', 'known flagged', 'intervalWidth'])
      expect(new Set(lower(metric)), metric).toEqual(new Set([true]));
    for (const metric of ['accuracy', 'macro-F1', 'c-index', 'pearson', 'novelty AUROC', 'coverage90'])
      expect(new Set(lower(metric)), metric).toEqual(new Set([false]));
    expect(new Set(evaluation.map((r) => r.task))).toEqual(
      new Set(['classification', 'survival', 'imputation', 'trust']),
    );
  });

  it('gives empty lists for a checkpoint folder without a log or report', async () => {
    expect(await details(ids.bare)).toEqual({ trainingCurve: [], evaluation: [] });
  });

  it('skips malformed log lines and report rows instead of failing', async () => {
    expect(await details(ids.malformed)).toEqual({
      trainingCurve: [
        { epoch: 1, step: 9, trainLoss: 1.5, valLoss: 1.25 },
        { epoch: 4, step: 36, trainLoss: 0.75, valLoss: null },
      ],
      evaluation: [
        {
          task: 'imputation',
          method: 'mean',
          setting: 's',
          metric: 'pearson',
          value: 0.5,
          spread: null,
          lowerIsBetter: false,
        },
      ],
    });
  });

  it("reads a TRAINING version's log from its .partial folder", async () => {
    const { trainingCurve } = await details(ids.training);
    expect(trainingCurve).toEqual([{ epoch: 1, step: 4, trainLoss: 1.1, valLoss: 1.05 }]);
  });
});
