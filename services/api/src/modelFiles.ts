// Files a checkpoint folder carries besides the weights: the training log (loss curves) and an attached
// `gexbert evaluate` report (evaluation/report.json). Missing files read as empty; malformed entries are skipped.
import fs from 'node:fs/promises';
import path from 'node:path';
import { lowerIsBetter, type ReportRow } from '@gexbert/model/evaluate';

/** One evaluation of the training loss curve (an `eval` line of training-log.jsonl). */
export interface TrainingPoint {
  epoch: number;
  step: number;
  trainLoss: number;
  /** Null when the run kept no validation samples. */
  valLoss: number | null;
}

/** One row of a `gexbert evaluate` report, and whether its metric is better when smaller. */
export interface EvaluationRow extends ReportRow {
  lowerIsBetter: boolean;
}

export const TRAINING_LOG = 'training-log.jsonl';
export const EVALUATION_REPORT = path.join('evaluation', 'report.json');

/** Where a version's files are: a TRAINING version writes into `<checkpoint>.partial` until it is renamed. */
export function checkpointFolders(checkpointPath: string, status: string): string[] {
  const partial = checkpointPath.endsWith('.partial') ? [] : [`${checkpointPath}.partial`];
  return status === 'TRAINING' ? [checkpointPath, ...partial] : [checkpointPath];
}

async function readFirst(folders: string[], file: string): Promise<string | null> {
  for (const folder of folders) {
    try {
      return await fs.readFile(path.join(folder, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `eval` records of a JSONL training log, in file order; lines that do not parse or lack numbers are skipped. */
export function parseTrainingLog(text: string): TrainingPoint[] {
  const points: TrainingPoint[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = parseJson(line) as Record<string, unknown> | undefined;
    if (r === null || typeof r !== 'object' || r.type !== 'eval') continue;
    const { epoch, step, trainLoss, valLoss } = r;
    if (!isFiniteNumber(epoch) || !isFiniteNumber(step) || !isFiniteNumber(trainLoss)) continue;
    points.push({ epoch, step, trainLoss, valLoss: isFiniteNumber(valLoss) ? valLoss : null });
  }
  return points;
}

function asEvaluationRow(r: unknown): EvaluationRow | null {
  if (r === null || typeof r !== 'object') return null;
  const { task, method, setting, metric, value, spread } = r as Record<string, unknown>;
  const texts = [task, method, setting, metric];
  if (!texts.every((t) => typeof t === 'string') || !isFiniteNumber(value)) return null;
  return {
    task: task as string,
    method: method as string,
    setting: setting as string,
    metric: metric as string,
    value,
    spread: isFiniteNumber(spread) ? spread : null,
    lowerIsBetter: lowerIsBetter(metric as string),
  };
}

/** The valid rows of a report.json text; a text that is not a JSON array gives no rows. */
export function parseEvaluationReport(text: string): EvaluationRow[] {
  const rows = parseJson(text);
  if (!Array.isArray(rows)) return [];
  return rows.map(asEvaluationRow).filter((r): r is EvaluationRow => r !== null);
}

/** The training curve of the checkpoint in `folders` (first folder holding a log); empty without a log. */
export async function readTrainingCurve(folders: string[]): Promise<TrainingPoint[]> {
  const text = await readFirst(folders, TRAINING_LOG);
  return text === null ? [] : parseTrainingLog(text);
}

/** The attached evaluation report's rows; empty when the checkpoint carries none. */
export async function readEvaluation(folders: string[]): Promise<EvaluationRow[]> {
  const text = await readFirst(folders, EVALUATION_REPORT);
  return text === null ? [] : parseEvaluationReport(text);
}
