/**
 * GexBERT's forward pass as ONNX nodes, written once: the inference graph (export.ts) and the training
 * graph (train-graph.ts) are both built by `buildForward`, on a LayerGraph with or without a tape (each
 * layer's backward sits next to its forward in layers.ts). The readable reference is the tfjs model
 * (architecture/model.ts + architecture/layers/), with the same parameter names (parameterSpecs), pre-LN blocks,
 * LayerNormalization eps 1e-5, exact-erf GELU, the -1e9 key bias for padding and dropout on the
 * embeddings and on each residual branch (sites as in architecture/model.ts dropoutSites).
 *
 * Shapes: B batch, T tokens, Q queries, C width, H heads, hd = C / H; N = B*T and M = B*Q rows.
 */
import type { GexbertConfig } from '../architecture/config.ts';
import { attr } from './graph.ts';
import type { AttnShape, LayerGraph } from './layers.ts';

export interface ForwardInputs {
  /** int32 (B, T) gene and level ids. */
  geneIds: string;
  levelIds: string;
  /** float (B, T), 1 = real token, 0 = padding; none: every token is real (no key bias). */
  tokenMask?: string;
  /** int32 (B, Q): the decoder runs when given. */
  queryIds?: string;
}

export interface ForwardOptions {
  /** The 1/sqrt(hd) attention scale is already in the query weights (export.ts folds it). */
  scaleFolded?: boolean;
  /** onnxruntime's fused attention kernel (inference only). */
  fusedAttention?: boolean;
}

export interface ForwardOutputs {
  /** [B, T] */
  shapeBT: string;
  /** [B, T, C] (without a tape) */
  rowsBT?: string;
  /** (N, C) encoder output after the final LayerNorm. */
  hidden: string;
  /** (N, 1) restored value of each token. */
  tokenValues: string;
  /** [B, Q] and (M, 1) restored value of each query gene, when queryIds are given. */
  shapeBQ?: string;
  queryValues?: string;
}

/** A stream's shape tensors: [B, T], [B, T, H, hd] and, for inference, [B, T, C]. */
function streamShape(g: LayerGraph, c: GexbertConfig, ids: string): { shape: string; attn: AttnShape } {
  const shape = g.op('Shape', [ids]); // [B, T]
  const heads = g.op('Concat', [shape, g.i64([c.heads, c.width / c.heads])], { axis: attr.i(0) }); // [B, T, H, hd]
  if (g.tape.enabled) return { shape, attn: { heads } };
  return { shape, attn: { heads, rows: g.op('Concat', [shape, g.i64([c.width])], { axis: attr.i(0) }) } }; // [B, T, C]
}

/** A pre-LN block: x + drop(attn(LN(x))), then x + drop(FFN(LN(x))). `attn` maps LN(x) to the attention output. */
function block(
  g: LayerGraph,
  c: GexbertConfig,
  x: string,
  p: string,
  rows: string,
  attn: (h: string) => string,
): string {
  const a = g.linear(attn(g.layerNorm(x, `${p}.ln1`)), `${p}.attn.wo`, `${p}.attn.bo`); // (rows, C)
  const x1 = g.add(x, g.dropout(a, `${p}.attn`, rows)); // (rows, C)
  const f = g.ffn(g.layerNorm(x1, `${p}.ln2`), p, c.activation); // (rows, C)
  return g.add(x1, g.dropout(f, `${p}.ffn`, rows)); // (rows, C)
}

/** Embeddings, encoder blocks, token head; then, with query ids, decoder blocks and query head. */
export function buildForward(
  g: LayerGraph,
  c: GexbertConfig,
  inputs: ForwardInputs,
  opts: ForwardOptions = {},
): ForwardOutputs {
  const scale = opts.scaleFolded ? undefined : 1 / Math.sqrt(c.width / c.heads);
  const mask = inputs.tokenMask;
  const bt = streamShape(g, c, inputs.geneIds);
  if (opts.fusedAttention) {
    const ones = () => g.op('ConstantOfShape', [bt.shape], { value: attr.t1f(1) });
    bt.attn.keyMask = g.op('Cast', [mask ?? ones()], { to: attr.i(6) }); // (B, T) int32
  }
  const bias = mask ? g.keyBias(mask) : undefined; // (B, 1, 1, T)

  // Encoder: token = gene embedding + level embedding; self-attention blocks.
  const emb = g.add(
    g.gather('emb.gene', inputs.geneIds, c.vocabSize),
    g.gather('emb.level', inputs.levelIds, c.levels + 1),
  ); // (N, C)
  let x = g.dropout(emb, 'emb', 'ntokens'); // (N, C)
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `enc.${i}`;
    x = block(g, c, x, p, 'ntokens', (h) => {
      const [q, k, v] = g.project(h, `${p}.attn.wqkv`, `${p}.attn.bqkv`, ['q', 'k', 'v']) as [
        string,
        string,
        string,
      ]; // 3 x (N, C)
      return g.attention(q, k, v, bt.attn, bt.attn, c.heads, bias, scale); // (N, C)
    });
  }
  const hidden = g.layerNorm(x, 'enc.lnf'); // (N, C)
  const tokenValues = g.linear(hidden, 'head.tok.w', 'head.tok.b'); // (N, 1)
  const out: ForwardOutputs = { shapeBT: bt.shape, rowsBT: bt.attn.rows, hidden, tokenValues };
  if (!inputs.queryIds) return out;

  // Decoder: query = gene embedding; cross-attention to the encoder output (no self-attention).
  const bq = streamShape(g, c, inputs.queryIds);
  let q = g.dropout(g.gather('emb.gene', inputs.queryIds, c.vocabSize), 'qemb', 'nqueries'); // (M, C)
  for (let i = 0; i < c.decoderLayers; i++) {
    const p = `dec.${i}`;
    q = block(g, c, q, p, 'nqueries', (h) => {
      const hq = g.linear(h, `${p}.attn.wq`, `${p}.attn.bq`); // (M, C)
      const [k, v] = g.project(hidden, `${p}.attn.wkv`, `${p}.attn.bkv`, ['k', 'v']) as [string, string]; // 2 x (N, C)
      return g.attention(hq, k, v, bq.attn, bt.attn, c.heads, bias, scale); // (M, C)
    });
  }
  const queryValues = g.linear(g.layerNorm(q, 'dec.lnf'), 'head.query.w', 'head.query.b'); // (M, 1)
  return { ...out, shapeBQ: bq.shape, queryValues };
}
