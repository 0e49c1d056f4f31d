/**
 * The ONE module of the project that imports onnxruntime-node. Everything else runs ONNX models
 * through `OnnxSession`.
 *
 * Execution provider: CPU by default; with `provider: 'auto'` CUDA is tried first when this
 * onnxruntime build lists it (the CUDA libraries are not bundled with the npm package, so on most
 * machines that falls back to CPU). GEXBERT_ORT_PROVIDER=cpu|cuda|auto overrides the default.
 */
import * as ort from 'onnxruntime-node';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface OnnxSessionOptions {
  provider?: ProviderChoice;
  /** Threads inside one operator (default: onnxruntime's choice, all cores). */
  intraOpThreads?: number;
  /** Graph optimisation level (default 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Whether onnxruntime plans memory per input shape and keeps the plan (default true). Batches of
   * ever-changing shapes (padded profiles, query chunks) make it keep one plan, with its memory, per shape.
   */
  memoryPattern?: boolean;
}

export type TensorData = Float32Array | Int32Array | BigInt64Array;

export interface TensorValue {
  data: TensorData;
  dims: number[];
}

const typeOf = (d: TensorData): 'float32' | 'int32' | 'int64' =>
  d instanceof Float32Array ? 'float32' : d instanceof Int32Array ? 'int32' : 'int64';

/** Execution providers this onnxruntime build knows (bundled or not). */
export function listProviders(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

export class OnnxSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The execution provider the session was created with. */
    readonly provider: 'cpu' | 'cuda',
  ) {}

  /** Create a session from model bytes or a file path. */
  static async create(model: Uint8Array | string, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const choice = (process.env.GEXBERT_ORT_PROVIDER as ProviderChoice | undefined) ?? opts.provider ?? 'cpu';
    const base: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: opts.optimization ?? 'all',
      ...(opts.intraOpThreads !== undefined ? { intraOpNumThreads: opts.intraOpThreads } : {}),
      ...(opts.memoryPattern !== undefined ? { enableMemPattern: opts.memoryPattern } : {}),
    };
    const make = (ep: 'cpu' | 'cuda') =>
      typeof model === 'string'
        ? ort.InferenceSession.create(model, { ...base, executionProviders: [ep] })
        : ort.InferenceSession.create(model, { ...base, executionProviders: [ep] });
    if (choice === 'cuda' || (choice === 'auto' && listProviders().some((p) => p.name === 'cuda'))) {
      try {
        return new OnnxSession(await make('cuda'), 'cuda');
      } catch (err) {
        if (choice === 'cuda') throw err;
      }
    }
    return new OnnxSession(await make('cpu'), 'cpu');
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Run with the given inputs; returns the requested outputs (default: all). */
  async run(feeds: Record<string, TensorValue>, fetches?: string[]): Promise<Record<string, TensorValue>> {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      inputs[name] = new ort.Tensor(typeOf(t.data), t.data, t.dims);
    const out = fetches ? await this.session.run(inputs, fetches) : await this.session.run(inputs);
    const res: Record<string, TensorValue> = {};
    for (const [name, t] of Object.entries(out)) {
      res[name] = { data: t.data as TensorData, dims: [...t.dims] };
      t.dispose?.();
    }
    return res;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
