/**
 * The resume state of a training run: everything pretrain() needs to continue exactly where it stopped
 * (weights, AdamW moments and step, position in the epoch, Rng and sampler states, best-so-far weights,
 * early-stopping counters, the log so far), tied to the run by a fingerprint of its config and corpus.
 *
 * One file, <dir>/training-state.bin, written atomically (temp file, fsync, rename, fsync the folder):
 *   magic "GEXBERT-RESUME\n" | uint32 LE header bytes | header JSON | body | sha256 of all before it
 * The body holds the float32 weights, first and second moments, best weights (when any) and the int32
 * sampler pools, little-endian, in that order; the header says how long each part is.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import type { RngState } from '../../random/rng.ts';
import type { GexbertConfig } from '../architecture/config.ts';
import type { WeightEntry } from '../architecture/model.ts';

export const STATE_FILE = 'training-state.bin';
const MAGIC = Buffer.from('GEXBERT-RESUME\n', 'ascii');
const FORMAT_VERSION = 1;
const DIGEST_BYTES = 32;

/** What a state belongs to: a hash of the run's config (with its step limit), corpus and start weights. */
export interface RunFingerprint {
  config: string;
  corpus: string;
  start: string;
}

/** The numbers and records of a run in progress (the header of the file). */
export interface TrainingProgress {
  /** Optimiser steps taken. */
  step: number;
  /** The epoch in progress (1-based) and the next position in its sample order. */
  epoch: number;
  position: number;
  order: number[];
  optimiserStep: number;
  rngs: Record<string, RngState>;
  best: { loss: number; epoch: number } | null;
  sinceBest: number;
  lossSum: number;
  lossCount: number;
  /** NaN before the first step is stored as null. */
  lastLoss: number | null;
  samplesSeen: number;
  trainSeconds: number;
  elapsedSeconds: number;
  history: Record<string, unknown>[];
  log: Record<string, unknown>[];
}

export interface TrainingState extends TrainingProgress {
  fingerprint: RunFingerprint;
  weights: Float32Array[];
  moment1: Float32Array[];
  moment2: Float32Array[];
  bestWeights: Float32Array[] | null;
  pools: Int32Array;
}

interface Header extends TrainingProgress {
  format: 'gexbert-resume';
  version: number;
  fingerprint: RunFingerprint;
  tensorLengths: number[];
  hasBest: boolean;
  poolLength: number;
}

/** Hashes of the run's identity; a state is only continued by a run with the same three. */
export function runFingerprint(
  config: GexbertConfig,
  totalSteps: number,
  corpus: { z: Float32Array; nSamples: number },
  initial?: WeightEntry[],
): RunFingerprint {
  const sha = () => createHash('sha256');
  const sortedConfig = Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  const start = sha();
  if (initial) for (const w of initial) start.update(w.name).update(bytesOf(w.data));
  else start.update('fresh initialisation');
  return {
    config: sha()
      .update(JSON.stringify({ config: sortedConfig, totalSteps }))
      .digest('hex'),
    corpus: sha().update(`${corpus.nSamples}\n`).update(bytesOf(corpus.z)).digest('hex'),
    start: start.digest('hex'),
  };
}

/** Throws one clear error when a saved state belongs to a different run. */
export function checkFingerprint(dir: string, saved: RunFingerprint, current: RunFingerprint): void {
  const differs = [
    saved.config !== current.config && 'the config (or step limit)',
    saved.corpus !== current.corpus && 'the training corpus',
    saved.start !== current.start && 'the initial weights',
  ].filter((x): x is string => typeof x === 'string');
  if (differs.length > 0) {
    throw new Error(
      `the resume state in ${dir} belongs to a different training run (${differs.join(', ')} differ${differs.length === 1 ? 's' : ''}); train with the same settings and data, or delete ${dir} to start over`,
    );
  }
}

/** Write the state to <dir>/training-state.bin atomically: a reader sees the old state or the new one. */
export function saveTrainingState(dir: string, state: TrainingState): void {
  assertLittleEndian();
  mkdirSync(dir, { recursive: true });
  const { fingerprint, weights, moment1, moment2, bestWeights, pools, ...progress } = state;
  const header: Header = {
    format: 'gexbert-resume',
    version: FORMAT_VERSION,
    fingerprint,
    ...progress,
    tensorLengths: weights.map((w) => w.length),
    hasBest: bestWeights !== null,
    poolLength: pools.length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const parts = [MAGIC, length, headerBytes, ...[...weights, ...moment1, ...moment2].map(bytesOf)];
  if (bestWeights) parts.push(...bestWeights.map(bytesOf));
  parts.push(bytesOf(pools));
  const digest = createHash('sha256');
  for (const p of parts) digest.update(p);
  parts.push(digest.digest());

  const final = path.join(dir, STATE_FILE);
  const temp = `${final}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    for (const p of parts) writeAll(fd, p);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, final);
  syncFolder(dir);
}

/** The saved state in `dir`, undefined when there is none; throws when the file is corrupt or incomplete. */
export function loadTrainingState(dir: string): TrainingState | undefined {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  assertLittleEndian();
  const bad = (why: string) =>
    new Error(`the resume state ${file} is corrupt or incomplete (${why}); delete it to start over`);
  const buf = readFileSync(file);
  if (buf.length < MAGIC.length + 4 + DIGEST_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw bad('not a GexBERT resume state');
  const body = buf.subarray(0, buf.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(buf.subarray(buf.length - DIGEST_BYTES))) throw bad('checksum mismatch');
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  if (headerStart + headerLength > body.length) throw bad('header runs past the end');
  const header = JSON.parse(
    body.subarray(headerStart, headerStart + headerLength).toString('utf8'),
  ) as Header;
  if (header.format !== 'gexbert-resume' || header.version !== FORMAT_VERSION)
    throw bad(`unsupported format ${String(header.format)} v${String(header.version)}`);
  const total = header.tensorLengths.reduce((a, b) => a + b, 0);
  const floatSets = header.hasBest ? 4 : 3;
  const expected = headerStart + headerLength + 4 * (floatSets * total + header.poolLength);
  if (expected !== body.length) throw bad(`${body.length} bytes before the checksum, expected ${expected}`);

  let offset = headerStart + headerLength;
  const floats = (): Float32Array[] =>
    header.tensorLengths.map((n) => {
      const out = new Float32Array(n);
      new Uint8Array(out.buffer).set(body.subarray(offset, offset + 4 * n));
      offset += 4 * n;
      return out;
    });
  const weights = floats();
  const moment1 = floats();
  const moment2 = floats();
  const bestWeights = header.hasBest ? floats() : null;
  const pools = new Int32Array(header.poolLength);
  new Uint8Array(pools.buffer).set(body.subarray(offset, offset + 4 * header.poolLength));
  const { format: _f, version: _v, tensorLengths: _t, hasBest: _h, poolLength: _p, ...progress } = header;
  return { ...progress, weights, moment1, moment2, bestWeights, pools };
}

/** Delete the state file (and leftover temp files); the folder too when that leaves it empty. */
export function removeTrainingState(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir))
    if (f === STATE_FILE || f.startsWith(`${STATE_FILE}.tmp-`)) rmSync(path.join(dir, f), { force: true });
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

function bytesOf(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** fsync the folder so the rename itself survives a crash (not possible on every platform). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders for fsync; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('resume states are little-endian; this machine is big-endian');
}
