/**
 * GexBERT's training step as an ONNX graph: the forward pass of architecture.ts (the one the inference
 * graph runs), the restoration loss and, with `grads`, the gradient of every weight (reverse mode over
 * the tape of layer-level steps that layers.ts records next to each layer's forward).
 * onnxruntime runs it on its optimised CPU kernels; the optimiser stays in JavaScript (training/optim.ts).
 *
 * The math is that of architecture/model.ts + training/engine-tfjs.ts (same parameter names, inverted-dropout masks given as
 * inputs), checked against tfjs loss and gradients in test/gexbert/training/train.test.ts.
 *
 * Inputs (N = B*T tokens, M = B*Q queries):
 *   every weight, by its parameter name (float, fixed shape)
 *   gene_ids, level_ids int32 (B, T); token_mask float (B, T); query_ids int32 (B, Q)
 *   token_target, token_weight float (N, 1); query_target, query_weight float (M, 1)
 *   inv_weight float (): 1 / number of restored values
 *   drop.<site> float (N, C) or (M, C) when dropout is 'inputs' (sites as in architecture/model.ts dropoutSites)
 * Outputs: loss float (); with `grads`, grad.<name> for every weight.
 */
import type { GexbertConfig } from '../architecture/config.ts';
import { parameterSpecs } from '../architecture/model.ts';
import { buildForward } from './architecture.ts';
import { attr } from './graph.ts';
import { LayerGraph } from './layers.ts';

export interface TrainGraphOptions {
  /** Emit the backward pass and grad.* outputs (false: loss only, for evaluation). */
  grads: boolean;
  /**
   * Dropout: none, or masks given as inputs (drop.<site>: the trainer's masks from its Rng, the same the
   * tfjs engine uses; the graph draws no random numbers, so a resumed run repeats them).
   */
  dropout: false | 'inputs';
}

/** Weighted squared error summed: sum(w * (pred - target)^2); records d/dpred = 2 w (pred - target) * invWeight. */
function squaredError(g: LayerGraph, pred: string, target: string, weight: string, scale2: string): string {
  const err = g.op('Sub', [pred, target]); // (N, 1)
  const werr = g.op('Mul', [err, weight]); // (N, 1)
  const sse = g.op('ReduceSum', [g.op('Mul', [werr, err])], { keepdims: attr.i(0) }); // ()
  g.tape.record(() => g.tape.add(pred, g.op('Mul', [werr, scale2])));
  return sse;
}

/** The training (or evaluation) graph for a config, as ONNX model bytes. */
export function buildTrainingGraph(c: GexbertConfig, opts: TrainGraphOptions): Uint8Array {
  const g = new LayerGraph('gexbert_train', c.width, {
    grads: opts.grads,
    dropoutMasks: opts.dropout === 'inputs',
  });
  const specs = parameterSpecs(c);
  for (const s of specs) g.input(s.name, 'float32', s.shape);
  const geneIds = g.input('gene_ids', 'int32', ['batch', 'tokens']);
  const levelIds = g.input('level_ids', 'int32', ['batch', 'tokens']);
  const tokenMask = g.input('token_mask', 'float32', ['batch', 'tokens']);
  const hasQ = c.queryGenes > 0;
  const queryIds = hasQ ? g.input('query_ids', 'int32', ['batch', 'queries']) : undefined;
  const tokenTarget = g.input('token_target', 'float32', ['ntokens', 1]);
  const tokenWeight = g.input('token_weight', 'float32', ['ntokens', 1]);
  const queryTarget = hasQ ? g.input('query_target', 'float32', ['nqueries', 1]) : '';
  const queryWeight = hasQ ? g.input('query_weight', 'float32', ['nqueries', 1]) : '';
  const invWeight = g.input('inv_weight', 'float32', []);

  const f = buildForward(g, c, { geneIds, levelIds, tokenMask, queryIds });
  const scale2 = g.op('Mul', [invWeight, g.f32(2)]); // ()
  let sse = squaredError(g, f.tokenValues, tokenTarget, tokenWeight, scale2); // ()
  if (f.queryValues)
    sse = g.op('Add', [sse, squaredError(g, f.queryValues, queryTarget, queryWeight, scale2)]); // ()
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
