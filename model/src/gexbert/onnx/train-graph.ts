/**
 * GexBERT's training step as an ONNX graph: forward pass, restoration loss and, with `grads`, the
 * gradient of every weight, written by hand (reverse mode over a small tape of layer-level ops).
 * onnxruntime runs it on its optimised CPU kernels; the optimiser stays in JavaScript (optim.ts).
 *
 * The math is that of model.ts + engine-tfjs.ts (same parameter names, pre-LN blocks, exact GELU,
 * -1e9 key bias, inverted-dropout masks given as inputs), checked against tfjs gradients in the tests.
 *
 * Inputs (N = B*T tokens, M = B*Q queries):
 *   every weight, by its parameter name (float, fixed shape)
 *   gene_ids, level_ids int32 (B, T); token_mask float (B, T); query_ids int32 (B, Q)
 *   token_target, token_weight float (N, 1); query_target, query_weight float (M, 1)
 *   inv_weight float (): 1 / number of restored values
 *   drop.<site> float (N, C) or (M, C) when dropout is 'inputs' (sites as in model.ts dropoutSites)
 * Outputs: loss float (); with `grads`, grad.<name> for every weight.
 */
import type { GexbertConfig } from '../config.ts';
import { MASK_NEG } from '../layers/attention.ts';
import { LAYER_NORM_EPS } from '../layers/ops.ts';
import { parameterSpecs } from '../model.ts';
import { attr, GraphBuilder } from './graph.ts';

export interface TrainGraphOptions {
  /** Emit the backward pass and grad.* outputs (false: loss only, for evaluation). */
  grads: boolean;
  /**
   * Dropout: none, or masks given as inputs (drop.<site>: the trainer's masks from its Rng, the same the
   * tfjs engine uses; the graph draws no random numbers, so a resumed run repeats them).
   */
  dropout: false | 'inputs';
}

/** Reverse-mode bookkeeping: backward steps run in reverse order, gradients are summed per value. */
class Tape {
  private readonly steps: (() => void)[] = [];
  private readonly grads = new Map<string, string[]>();

  constructor(
    private readonly g: GraphBuilder,
    readonly enabled: boolean,
  ) {}

  record(step: () => void): void {
    if (this.enabled) this.steps.push(step);
  }

  add(value: string, grad: string): void {
    const list = this.grads.get(value);
    if (list) list.push(grad);
    else this.grads.set(value, [grad]);
  }

  /** The summed gradient of a value, or undefined when nothing flows into it. */
  grad(value: string): string | undefined {
    const list = this.grads.get(value);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const sum = this.g.op('Sum', list);
      this.grads.set(value, [sum]);
      return sum;
    }
    return list[0];
  }

  run(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
  }
}

class TrainGraph extends GraphBuilder {
  readonly tape: Tape;

  constructor(
    readonly c: GexbertConfig,
    grads: boolean,
  ) {
    super('gexbert_train');
    this.tape = new Tape(this, grads);
  }

  private sumRows(x: string): string {
    return this.op('ReduceSum', [x, this.i64([0])], { keepdims: attr.i(0) });
  }

  /** y = x W + b; x (N, in), W (in, out), b (out). */
  linear(x: string, w: string, b: string): string {
    const y = this.op('Add', [this.op('MatMul', [x, w]), b]); // (N, out)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      this.tape.add(x, this.op('Gemm', [dy, w], { transB: attr.i(1) })); // (N, out) @ (out, in) -> (N, in)
      this.tape.add(w, this.op('Gemm', [x, dy], { transA: attr.i(1) })); // (in, N) @ (N, out) -> (in, out)
      this.tape.add(b, this.sumRows(dy)); // (out)
    });
    return y;
  }

  /** LayerNorm over the last axis of x (N, C). */
  layerNorm(x: string, prefix: string): string {
    const gamma = `${prefix}.g`;
    const beta = `${prefix}.b`;
    const [y, mean, rstd] = this.node(
      'LayerNormalization',
      [x, gamma, beta],
      { axis: attr.i(-1), epsilon: attr.f(LAYER_NORM_EPS) },
      3,
    ) as [string, string, string]; // (N, C), (N, 1), (N, 1)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const xhat = this.op('Mul', [this.op('Sub', [x, mean]), rstd]); // (N, C)
      this.tape.add(gamma, this.sumRows(this.op('Mul', [dy, xhat]))); // (C)
      this.tape.add(beta, this.sumRows(dy)); // (C)
      const dxhat = this.op('Mul', [dy, gamma]); // (N, C)
      const m1 = this.op('ReduceMean', [dxhat], { axes: attr.ints([-1]), keepdims: attr.i(1) }); // (N, 1)
      const m2 = this.op('ReduceMean', [this.op('Mul', [dxhat, xhat])], {
        axes: attr.ints([-1]),
        keepdims: attr.i(1),
      }); // (N, 1)
      const inner = this.op('Sub', [this.op('Sub', [dxhat, m1]), this.op('Mul', [xhat, m2])]); // (N, C)
      this.tape.add(x, this.op('Mul', [inner, rstd])); // (N, C)
    });
    return y;
  }

  activation(x: string): string {
    if (this.c.activation === 'relu') {
      const y = this.op('Relu', [x]);
      this.tape.record(() => {
        const dy = this.tape.grad(y);
        if (!dy) return;
        const on = this.op('Cast', [this.op('Greater', [x, this.f32(0)])], { to: attr.i(1) }); // float 0/1
        this.tape.add(x, this.op('Mul', [dy, on]));
      });
      return y;
    }
    const erf = this.op('Erf', [this.op('Div', [x, this.f32(Math.SQRT2)])]);
    const y = this.op('Mul', [this.op('Mul', [x, this.op('Add', [erf, this.f32(1)])]), this.f32(0.5)]); // (N, F)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      // d/dx [x * Phi(x)] = Phi(x) + x * phi(x)
      const cdf = this.op('Mul', [
        this.op('Add', [this.op('Erf', [this.op('Div', [x, this.f32(Math.SQRT2)])]), this.f32(1)]),
        this.f32(0.5),
      ]);
      const pdf = this.op('Mul', [
        this.op('Exp', [this.op('Mul', [this.op('Mul', [x, x]), this.f32(-0.5)])]),
        this.f32(1 / Math.sqrt(2 * Math.PI)),
      ]);
      this.tape.add(x, this.op('Mul', [dy, this.op('Add', [cdf, this.op('Mul', [x, pdf])])]));
    });
    return y;
  }

  mul(x: string, mask: string | undefined): string {
    if (!mask) return x;
    const y = this.op('Mul', [x, mask]);
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (dy) this.tape.add(x, this.op('Mul', [dy, mask]));
    });
    return y;
  }

  add(a: string, b: string): string {
    const y = this.op('Add', [a, b]);
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      this.tape.add(a, dy);
      this.tape.add(b, dy);
    });
    return y;
  }

  /** Rows `ids` (int32, any shape, flattened to N) of `table` (V, C) -> (N, C). */
  gather(table: string, ids: string, rows: number): string {
    const flatIds = this.op('Reshape', [ids, this.i64([-1])]); // (N)
    const y = this.op('Gather', [table, flatIds]); // (N, C)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const idx = this.op('Reshape', [this.op('Cast', [flatIds], { to: attr.i(7) }), this.i64([-1, 1])]); // (N, 1) int64
      const zeros = this.op('ConstantOfShape', [this.i64([rows, this.c.width])]); // (V, C)
      this.tape.add(table, this.op('ScatterND', [zeros, idx, dy], { reduction: attr.s('add') })); // (V, C)
    });
    return y;
  }

  split(x: string, parts: number): string[] {
    const C = this.c.width;
    const outs = this.node('Split', [x, this.i64(Array(parts).fill(C))], { axis: attr.i(1) }, parts);
    this.tape.record(() => {
      const gs = outs.map((o) => this.tape.grad(o));
      if (gs.every((d) => !d)) return;
      const filled = gs.map((d) => d ?? this.op('Mul', [outs[0]!, this.f32(0)]));
      this.tape.add(x, this.op('Concat', filled, { axis: attr.i(1) }));
    });
    return outs;
  }

  /** q: (B*Tq, C), k, v: (B*Tk, C) -> (B*Tq, C); shapes [B, T, H, hd]; bias (B, 1, 1, Tk). */
  attention(q: string, k: string, v: string, qShape: string, kShape: string, bias: string): string {
    const C = this.c.width;
    const scale = 1 / Math.sqrt(C / this.c.heads);
    const heads = (x: string, shape: string) =>
      this.op('Transpose', [this.op('Reshape', [x, shape])], { perm: attr.ints([0, 2, 1, 3]) });
    const qh = heads(this.op('Mul', [q, this.f32(scale)]), qShape); // (B, H, Tq, hd), scaled
    const kh = heads(k, kShape); // (B, H, Tk, hd)
    const vh = heads(v, kShape); // (B, H, Tk, hd)
    const swap = (x: string) => this.op('Transpose', [x], { perm: attr.ints([0, 1, 3, 2]) });
    const scores = this.op('Add', [this.op('MatMul', [qh, swap(kh)]), bias]); // (B, H, Tq, Tk)
    const p = this.op('Softmax', [scores], { axis: attr.i(-1) }); // (B, H, Tq, Tk)
    const yh = this.op('MatMul', [p, vh]); // (B, H, Tq, hd)
    const y = this.op('Reshape', [
      this.op('Transpose', [yh], { perm: attr.ints([0, 2, 1, 3]) }),
      this.i64([-1, C]),
    ]); // (B*Tq, C)
    this.tape.record(() => {
      const dy = this.tape.grad(y);
      if (!dy) return;
      const flat = (xh: string) =>
        this.op('Reshape', [
          this.op('Transpose', [xh], { perm: attr.ints([0, 2, 1, 3]) }),
          this.i64([-1, C]),
        ]);
      const dyh = heads(dy, qShape); // (B, H, Tq, hd)
      const dp = this.op('MatMul', [dyh, swap(vh)]); // (B, H, Tq, Tk)
      const dvh = this.op('MatMul', [swap(p), dyh]); // (B, H, Tk, hd)
      const rowDot = this.op('ReduceSum', [this.op('Mul', [dp, p]), this.i64([-1])], { keepdims: attr.i(1) }); // (B, H, Tq, 1)
      const ds = this.op('Mul', [p, this.op('Sub', [dp, rowDot])]); // (B, H, Tq, Tk)
      const dqh = this.op('MatMul', [ds, kh]); // (B, H, Tq, hd)
      const dkh = this.op('MatMul', [swap(ds), qh]); // (B, H, Tk, hd)
      this.tape.add(q, this.op('Mul', [flat(dqh), this.f32(scale)])); // (B*Tq, C)
      this.tape.add(k, flat(dkh)); // (B*Tk, C)
      this.tape.add(v, flat(dvh)); // (B*Tk, C)
    });
    return y;
  }

  ffn(x: string, p: string): string {
    return this.linear(
      this.activation(this.linear(x, `${p}.ffn.w1`, `${p}.ffn.b1`)),
      `${p}.ffn.w2`,
      `${p}.ffn.b2`,
    );
  }

  /** Weighted squared error summed: sum(w * (pred - target)^2); records d/dpred = 2 w (pred - target) * scale. */
  squaredError(pred: string, target: string, weight: string, scale2: string): string {
    const err = this.op('Sub', [pred, target]); // (N, 1)
    const werr = this.op('Mul', [err, weight]); // (N, 1)
    const sse = this.op('ReduceSum', [this.op('Mul', [werr, err])], { keepdims: attr.i(0) }); // ()
    this.tape.record(() => this.tape.add(pred, this.op('Mul', [werr, scale2])));
    return sse;
  }
}

/** The training (or evaluation) graph for a config, as ONNX model bytes. */
export function buildTrainingGraph(c: GexbertConfig, opts: TrainGraphOptions): Uint8Array {
  const g = new TrainGraph(c, opts.grads);
  const C = c.width;
  const H = c.heads;
  const hd = C / H;
  const specs = parameterSpecs(c);
  for (const s of specs) g.input(s.name, 'float32', s.shape);
  const geneIds = g.input('gene_ids', 'int32', ['batch', 'tokens']);
  const levelIds = g.input('level_ids', 'int32', ['batch', 'tokens']);
  const tokenMask = g.input('token_mask', 'float32', ['batch', 'tokens']);
  const hasQ = c.queryGenes > 0;
  const queryIds = hasQ ? g.input('query_ids', 'int32', ['batch', 'queries']) : '';
  const tokenTarget = g.input('token_target', 'float32', ['ntokens', 1]);
  const tokenWeight = g.input('token_weight', 'float32', ['ntokens', 1]);
  const queryTarget = hasQ ? g.input('query_target', 'float32', ['nqueries', 1]) : '';
  const queryWeight = hasQ ? g.input('query_weight', 'float32', ['nqueries', 1]) : '';
  const invWeight = g.input('inv_weight', 'float32', []);
  /** x * mask for a dropout site (x: (rows, C)), or x itself without dropout. */
  const drop = (x: string, site: string, rows: string): string => {
    if (opts.dropout !== 'inputs') return x;
    return g.mul(x, g.input(`drop.${site}`, 'float32', [rows, C])); // (rows, C) inverted-dropout mask
  };

  const shapeBT = g.op('Shape', [geneIds]); // [B, T]
  const headsT = g.op('Concat', [shapeBT, g.i64([H, hd])], { axis: attr.i(0) }); // [B, T, H, hd]
  const bias = g.op('Unsqueeze', [
    g.op('Mul', [g.op('Sub', [g.f32(1), tokenMask]), g.f32(MASK_NEG)]),
    g.i64([1, 2]),
  ]); // (B, 1, 1, T)

  // Encoder.
  let x = g.add(g.gather('emb.gene', geneIds, c.vocabSize), g.gather('emb.level', levelIds, c.levels + 1)); // (N, C)
  x = drop(x, 'emb', 'ntokens');
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `enc.${i}`;
    const qkv = g.linear(g.layerNorm(x, `${p}.ln1`), `${p}.attn.wqkv`, `${p}.attn.bqkv`); // (N, 3C)
    const [q, k, v] = g.split(qkv, 3) as [string, string, string]; // 3 x (N, C)
    const a = g.linear(g.attention(q, k, v, headsT, headsT, bias), `${p}.attn.wo`, `${p}.attn.bo`); // (N, C)
    x = g.add(x, drop(a, `${p}.attn`, 'ntokens')); // (N, C)
    const f = g.ffn(g.layerNorm(x, `${p}.ln2`), p); // (N, C)
    x = g.add(x, drop(f, `${p}.ffn`, 'ntokens')); // (N, C)
  }
  const hidden = g.layerNorm(x, 'enc.lnf'); // (N, C)
  const scale2 = g.op('Mul', [invWeight, g.f32(2)]); // ()
  let sse = g.squaredError(g.linear(hidden, 'head.tok.w', 'head.tok.b'), tokenTarget, tokenWeight, scale2); // ()

  // Decoder.
  if (hasQ) {
    const shapeBQ = g.op('Shape', [queryIds]); // [B, Q]
    const headsQ = g.op('Concat', [shapeBQ, g.i64([H, hd])], { axis: attr.i(0) }); // [B, Q, H, hd]
    let qs = drop(g.gather('emb.gene', queryIds, c.vocabSize), 'qemb', 'nqueries'); // (M, C)
    for (let i = 0; i < c.decoderLayers; i++) {
      const p = `dec.${i}`;
      const hq = g.linear(g.layerNorm(qs, `${p}.ln1`), `${p}.attn.wq`, `${p}.attn.bq`); // (M, C)
      const [k, v] = g.split(g.linear(hidden, `${p}.attn.wkv`, `${p}.attn.bkv`), 2) as [string, string]; // 2 x (N, C)
      const a = g.linear(g.attention(hq, k, v, headsQ, headsT, bias), `${p}.attn.wo`, `${p}.attn.bo`); // (M, C)
      qs = g.add(qs, drop(a, `${p}.attn`, 'nqueries')); // (M, C)
      const f = g.ffn(g.layerNorm(qs, `${p}.ln2`), p); // (M, C)
      qs = g.add(qs, drop(f, `${p}.ffn`, 'nqueries')); // (M, C)
    }
    const qv = g.linear(g.layerNorm(qs, 'dec.lnf'), 'head.query.w', 'head.query.b'); // (M, 1)
    sse = g.op('Add', [sse, g.squaredError(qv, queryTarget, queryWeight, scale2)]); // ()
  }
  g.op('Mul', [sse, invWeight], {}, 'loss');
  g.output('loss', 'float32', []);

  if (opts.grads) {
    g.tape.run();
    for (const s of specs) {
      const d = g.tape.grad(s.name) ?? g.op('ConstantOfShape', [g.i64(s.shape)]);
      g.op('Identity', [d], {}, `grad.${s.name}`);
      g.output(`grad.${s.name}`, 'float32', s.shape);
    }
  }
  return g.toModel({
    docString: 'GexBERT training step (loss and gradients), written by the GexBERT Platform.',
  });
}
