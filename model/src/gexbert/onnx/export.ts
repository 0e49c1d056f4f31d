/**
 * Writes a trained GexBERT as an ONNX model (opset 17) that onnxruntime runs without TensorFlow.js.
 *
 * Inputs (B = batch, T = tokens, Q = queries; all dynamic):
 *   gene_ids   int32 (B, T)   vocabulary index of each input gene
 *   level_ids  int32 (B, T)   value level; `levels` = missing/masked
 *   token_mask float (B, T)   1 = real token, 0 = padding
 *   query_ids  int32 (B, Q)   genes to restore (part 'full' only)
 * Outputs:
 *   embedding    float (B, C)     mean-pooled encoder output over real tokens
 *   token_values float (B, T)     restored z of each input token
 *   query_values float (B, Q)     restored z of each query gene (part 'full' only)
 *   hidden       float (B, T, C)  encoder output (when `hidden: true`)
 * The forward pass is architecture.ts's (the one the training graph runs), the math that of architecture/model.ts.
 */
import type { GexbertConfig } from '../architecture/config.ts';
import { parameterSpecs, type WeightEntry } from '../architecture/model.ts';
import { buildForward, type ForwardInputs, type ForwardOptions } from './architecture.ts';
import { attr } from './graph.ts';
import { LayerGraph } from './layers.ts';

export interface OnnxExportOptions {
  /** `encoder`: embedding and token values only; `full` (default): also the decoder. */
  part?: 'encoder' | 'full';
  /**
   * Use onnxruntime's fused com.microsoft.MultiHeadAttention kernel instead of standard ops
   * (faster on onnxruntime, not portable to other ONNX runtimes). Default false.
   */
  fusedAttention?: boolean;
  /**
   * Take a token_mask input (default true). Without it every token is real: no padding bias, a plain
   * mean for the embedding, and a little less work (for batches whose profiles have equal gene counts).
   */
  padding?: boolean;
  /** Also output the encoder states (B, T, C). */
  hidden?: boolean;
}

/**
 * Builds the GexBERT inference graph into `g` (the forward pass of architecture.ts, no tape) and returns
 * the names of its outputs. The residual streams are kept 2-D, (B*T, C) and (B*Q, C), so that onnxruntime
 * fuses each MatMul + bias Add into one Gemm; only attention reshapes to (B, H, T, hd).
 * With `scaleFolded`, the 1/sqrt(hd) attention scale is already in the query weights.
 */
export function buildInferenceGraph(
  g: LayerGraph,
  config: GexbertConfig,
  inputs: ForwardInputs,
  opts: ForwardOptions = {},
): { hidden: string; embedding: string; tokenValues: string; queryValues?: string } {
  const f = buildForward(g, config, inputs, opts);
  const hidden = g.op('Reshape', [f.hidden, f.rowsBT!]); // (B, T, C)
  const tokenValues = g.op('Reshape', [f.tokenValues, f.shapeBT]); // (B*T, 1) -> (B, T)
  const mask = inputs.tokenMask;
  let embedding: string;
  if (mask) {
    const m = g.op('Unsqueeze', [mask, g.i64([2])]); // (B, T, 1)
    const summed = g.op('ReduceSum', [g.op('Mul', [hidden, m]), g.i64([1])], { keepdims: attr.i(0) }); // (B, C)
    const count = g.op('Max', [g.op('ReduceSum', [m, g.i64([1])], { keepdims: attr.i(0) }), g.f32(1)]); // (B, 1)
    embedding = g.op('Div', [summed, count]); // (B, C)
  } else {
    embedding = g.op('ReduceMean', [hidden], { axes: attr.ints([1]), keepdims: attr.i(0) }); // (B, C)
  }
  if (!f.queryValues) return { hidden, embedding, tokenValues };
  const queryValues = g.op('Reshape', [f.queryValues, f.shapeBQ!]); // (B*Q, 1) -> (B, Q)
  return { hidden, embedding, tokenValues, queryValues };
}

/** Columns [start, start + n) of a row-major (rows, cols) matrix. */
function columns(data: Float32Array, rows: number, cols: number, start: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + start, r * cols + start + n), r * n);
  return out;
}

/** Copies of the query weights with the attention scale 1/sqrt(hd) multiplied in. */
function foldAttentionScale(config: GexbertConfig, name: string, data: Float32Array): Float32Array {
  const C = config.width;
  const scale = 1 / Math.sqrt(C / config.heads);
  if (/^enc\.\d+\.attn\.wqkv$/.test(name)) {
    const out = data.slice();
    for (let r = 0; r < C; r++) for (let j = 0; j < C; j++) out[r * 3 * C + j]! *= scale;
    return out;
  }
  if (/^enc\.\d+\.attn\.bqkv$/.test(name)) {
    const out = data.slice();
    for (let j = 0; j < C; j++) out[j]! *= scale;
    return out;
  }
  if (/^dec\.\d+\.attn\.(wq|bq)$/.test(name)) return data.map((x) => x * scale);
  return data;
}

/** The ONNX model bytes for a config and its weights. */
export function exportOnnx(
  config: GexbertConfig,
  weights: WeightEntry[],
  opts: OnnxExportOptions = {},
): Uint8Array {
  const part = opts.part ?? 'full';
  const g = new LayerGraph(`gexbert_${part}`, config.width, { grads: false, splitProjections: true });
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const s of parameterSpecs(config)) {
    if (part === 'encoder' && (s.name.startsWith('dec.') || s.name.startsWith('head.query'))) continue;
    const w = byName.get(s.name);
    if (!w) throw new Error(`exportOnnx: missing weight ${s.name}`);
    const data = foldAttentionScale(config, s.name, w.data);
    const fused = /^(enc\.\d+\.attn\.[wb]qkv|dec\.\d+\.attn\.[wb]kv)$/.exec(s.name);
    if (fused) {
      const parts = s.name.includes('qkv') ? ['q', 'k', 'v'] : ['k', 'v'];
      parts.forEach((part, j) => {
        const C = config.width;
        const cols = columns(data, s.shape.length === 2 ? s.shape[0]! : 1, parts.length * C, j * C, C);
        g.initializer(`${s.name}.${part}`, cols, s.shape.length === 2 ? [s.shape[0]!, C] : [C]);
      });
    } else {
      g.initializer(s.name, data, s.shape);
    }
  }
  const geneIds = g.input('gene_ids', 'int32', ['batch', 'tokens']);
  const levelIds = g.input('level_ids', 'int32', ['batch', 'tokens']);
  const tokenMask =
    opts.padding === false ? undefined : g.input('token_mask', 'float32', ['batch', 'tokens']);
  const queryIds = part === 'full' ? g.input('query_ids', 'int32', ['batch', 'queries']) : undefined;
  const out = buildInferenceGraph(
    g,
    config,
    { geneIds, levelIds, tokenMask, queryIds },
    { scaleFolded: true, fusedAttention: opts.fusedAttention },
  );
  const C = config.width;
  g.op('Identity', [out.embedding], {}, 'embedding');
  g.output('embedding', 'float32', ['batch', C]);
  g.op('Identity', [out.tokenValues], {}, 'token_values');
  g.output('token_values', 'float32', ['batch', 'tokens']);
  if (out.queryValues) {
    g.op('Identity', [out.queryValues], {}, 'query_values');
    g.output('query_values', 'float32', ['batch', 'queries']);
  }
  if (opts.hidden) {
    g.op('Identity', [out.hidden], {}, 'hidden');
    g.output('hidden', 'float32', ['batch', 'tokens', C]);
  }
  return g.toModel({
    docString: 'GexBERT (transformer autoencoder for bulk RNA-seq), exported by the GexBERT Platform.',
    metadata: { config: JSON.stringify(config) },
  });
}
