/**
 * The onnxruntime training engine: loss and gradients from the hand-written ONNX training graph
 * (onnx/train-graph.ts), run on onnxruntime's CPU kernels. Same math, parameter order and dropout masks
 * (the trainer's, drawn from its Rng) as the tfjs engine; the optimiser (optim.ts) is shared. After
 * training, pretrain() copies the final weights into the tfjs model, so checkpoints, inference and export
 * are unchanged.
 */
import { OnnxSession, type OnnxSessionOptions, type TensorValue } from '../../engine/onnx.ts';
import { dropoutSites, type GexbertModel, parameterSpecs } from '../architecture/model.ts';
import { buildTrainingGraph } from '../onnx/train-graph.ts';
import type { TrainBatch } from './batch.ts';
import type { TrainingEngine } from './engine-tfjs.ts';

export async function createOrtEngine(
  model: GexbertModel,
  opts: OnnxSessionOptions = {},
): Promise<TrainingEngine> {
  const c = model.config;
  const specs = parameterSpecs(c);
  const useDropout = c.dropout > 0;
  const train = await OnnxSession.create(
    buildTrainingGraph(c, { grads: true, dropout: useDropout ? 'inputs' : false }),
    opts,
  );
  const evalSession = await OnnxSession.create(buildTrainingGraph(c, { grads: false, dropout: false }), opts);
  let weights: Float32Array[] = model.getWeights().map((w) => w.data);
  const gradNames = specs.map((s) => `grad.${s.name}`);

  const feeds = (b: TrainBatch, drop?: Map<string, Float32Array>): Record<string, TensorValue> => {
    const f: Record<string, TensorValue> = {};
    specs.forEach((s, k) => {
      f[s.name] = { data: weights[k]!, dims: s.shape };
    });
    const N = b.B * b.T;
    const M = b.B * b.Q;
    f.gene_ids = { data: b.geneIds, dims: [b.B, b.T] };
    f.level_ids = { data: b.levelIds, dims: [b.B, b.T] };
    f.token_mask = { data: b.tokenMask, dims: [b.B, b.T] };
    f.token_target = { data: b.tokenTarget, dims: [N, 1] };
    f.token_weight = { data: b.tokenWeight, dims: [N, 1] };
    if (c.queryGenes > 0) {
      f.query_ids = { data: b.queryIds, dims: [b.B, b.Q] };
      f.query_target = { data: b.queryTarget, dims: [M, 1] };
      f.query_weight = { data: b.queryWeight, dims: [M, 1] };
    }
    f.inv_weight = { data: Float32Array.of(1 / Math.max(1, b.weightSum)), dims: [] };
    if (drop) {
      for (const s of dropoutSites(c, b.B, b.T, b.Q)) {
        const m = drop.get(s.name);
        if (!m) throw new Error(`onnxruntime engine: missing dropout mask ${s.name}`);
        f[`drop.${s.name}`] = { data: m, dims: [s.shape[0]! * s.shape[1]!, s.shape[2]!] };
      }
    }
    return f;
  };

  return {
    name: `onnxruntime-${train.provider}`,
    setWeights(ws: Float32Array[]) {
      if (ws.length !== specs.length) throw new Error('setWeights: wrong number of weights');
      weights = ws;
    },
    async lossAndGrads(batch: TrainBatch, drop?: Map<string, Float32Array>) {
      const needDrop = useDropout ? (drop ?? onesFor(c, batch)) : undefined;
      const out = await train.run(feeds(batch, needDrop), ['loss', ...gradNames]);
      return {
        loss: (out.loss!.data as Float32Array)[0]!,
        grads: gradNames.map((n) => out[n]!.data as Float32Array),
      };
    },
    async loss(batch: TrainBatch) {
      const out = await evalSession.run(feeds(batch), ['loss']);
      return (out.loss!.data as Float32Array)[0]!;
    },
    async dispose() {
      await train.release();
      await evalSession.release();
    },
  };
}

/** All-ones masks (no dropout) for a graph built with dropout inputs. */
function onesFor(c: GexbertModel['config'], b: TrainBatch): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const s of dropoutSites(c, b.B, b.T, b.Q))
    m.set(s.name, new Float32Array(s.shape.reduce((x, y) => x * y, 1)).fill(1));
  return m;
}
