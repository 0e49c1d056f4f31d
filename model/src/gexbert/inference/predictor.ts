/** Inference through onnxruntime: a `Predictor` (see infer.ts) over exported GexBERT ONNX models. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OnnxSession, type OnnxSessionOptions, type TensorValue } from '../../engine/onnx.ts';
import type { GexbertConfig } from '../architecture/config.ts';
import type { WeightEntry } from '../architecture/model.ts';
import { exportOnnx } from '../onnx/export.ts';
import type { TokenBatch } from '../training/batch.ts';
import { type CheckpointContents, readCheckpoint } from './checkpoint.ts';
import type { Predictor } from './infer.ts';

export interface OnnxPredictor extends Predictor {
  release(): Promise<void>;
}

export type PredictorOptions = OnnxSessionOptions & {
  fusedAttention?: boolean;
  /** The encoder + decoder graph with the padding mask to run as it is (a checkpoint's model.onnx). */
  fullGraph?: Uint8Array;
};

/** The batch's arrays as ONNX feeds (token_mask only when `withMask`). */
export function onnxFeeds(b: TokenBatch, withQueries: boolean, withMask = true): Record<string, TensorValue> {
  const feeds: Record<string, TensorValue> = {
    gene_ids: { data: b.geneIds, dims: [b.B, b.T] },
    level_ids: { data: b.levelIds, dims: [b.B, b.T] },
  };
  if (withMask) feeds.token_mask = { data: b.tokenMask, dims: [b.B, b.T] };
  if (withQueries) feeds.query_ids = { data: b.queryIds, dims: [b.B, b.Q] };
  return feeds;
}

/**
 * A checkpoint folder on onnxruntime, read without TensorFlow.js: its own model.onnx runs padded batches
 * with queries (restore); the encoder-only and mask-free graphs are exported from its weights. A folder
 * without model.onnx (saveModel alone writes none) has all four exported.
 */
export async function openCheckpointPredictor(
  dir: string,
  opts: OnnxSessionOptions = {},
): Promise<{ checkpoint: CheckpointContents; predictor: OnnxPredictor }> {
  const checkpoint = readCheckpoint(dir);
  const file = path.join(dir, 'model.onnx');
  const fullGraph = existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
  const predictor = await createOnnxPredictor(checkpoint.config, checkpoint.weights, {
    ...opts,
    ...(fullGraph ? { fullGraph } : {}),
  });
  return { checkpoint, predictor };
}

/**
 * Export the weights and run them on onnxruntime. Four sessions are opened on first use: encoder only
 * or encoder + decoder, each with and without the padding mask (batches whose profiles all have the
 * same number of input genes skip the mask); `fullGraph`, when given, is the encoder + decoder one.
 */
export async function createOnnxPredictor(
  config: GexbertConfig,
  weights: WeightEntry[],
  opts: PredictorOptions = {},
): Promise<OnnxPredictor> {
  const { fullGraph, fusedAttention, ...sessionOptions } = opts;
  const sessions = new Map<string, Promise<OnnxSession>>();
  const session = (part: 'encoder' | 'full', padding: boolean) => {
    const key = `${part}/${padding}`;
    let s = sessions.get(key);
    if (!s) {
      const graph =
        part === 'full' && padding && fullGraph
          ? fullGraph
          : exportOnnx(config, weights, { part, padding, fusedAttention });
      // Inference batches change shape all the time (padding, query chunks): a memory plan kept per shape
      // only costs memory (measured: about 20% of a predictor's resident memory, at the same speed).
      s = OnnxSession.create(graph, { memoryPattern: false, ...sessionOptions });
      sessions.set(key, s);
    }
    return s;
  };
  const provider = (await session('full', true)).provider;
  return {
    name: `onnxruntime-${provider}`,
    width: config.width,
    async run(batch) {
      if (batch.Q === 0) {
        const s = await session('encoder', batch.padded);
        const out = await s.run(onnxFeeds(batch, false, batch.padded), ['embedding']);
        return { embedding: out.embedding!.data as Float32Array };
      }
      const s = await session('full', batch.padded);
      const out = await s.run(onnxFeeds(batch, true, batch.padded), ['embedding', 'query_values']);
      return {
        embedding: out.embedding!.data as Float32Array,
        queryValues: out.query_values!.data as Float32Array,
      };
    },
    async release() {
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}
