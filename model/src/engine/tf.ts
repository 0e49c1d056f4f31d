/**
 * The ONE module of the project that imports TensorFlow.js. Everything else does
 * `import { tf } from '../engine/tf.ts'` and calls `await ready()` once before the first tensor op.
 *
 * Backend choice at run time, best first:
 *   1. `@tensorflow/tfjs-node-gpu` (native TensorFlow + CUDA), if it is installed and loads;
 *   2. `@tensorflow/tfjs-node` (native TensorFlow, CPU), if it is installed and loads;
 *   3. `wasm` (XNNPACK; SIMD when the runtime has it; threads are not used in Node);
 *   4. `cpu` (pure JavaScript; ~17x slower than wasm+SIMD on this machine).
 * The native packages are optional: they are imported dynamically, inside try/catch, and are not
 * dependencies of this workspace. Set GEXBERT_TF_BACKEND=wasm|cpu|tensorflow to force one.
 *
 * The wasm binaries are loaded from the package's own dist folder on disk: no network access.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type {
  GradSaveFunc,
  NamedTensorMap,
  Rank,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from '@tensorflow/tfjs';
export { tf };

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** Which of the four we run on. */
  name: BackendName;
  /** tfjs's own backend name (`tensorflow` for both native packages). */
  tfBackend: string;
  /** wasm only: whether the SIMD binary is in use. */
  simd?: boolean;
  /** Backends tried before this one, with why they were not used. */
  skipped: { name: BackendName; reason: string }[];
}

let chosen: Promise<BackendInfo> | undefined;
let resolved: BackendInfo | undefined;

/** The folder holding tfjs-backend-wasm's `.wasm` files (with a trailing slash). */
export function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  // `main` is dist/tf-backend-wasm.node.js, so its folder is the dist folder.
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`;
}

async function tryNative(pkg: string): Promise<void> {
  // A variable specifier keeps bundlers and the type checker from requiring the optional package.
  await import(/* @vite-ignore */ pkg);
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${pkg} loaded but the tensorflow backend failed`);
}

async function choose(): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];
  const forced = process.env.GEXBERT_TF_BACKEND?.trim().toLowerCase();
  const want = (name: BackendName): boolean =>
    !forced || forced === name || (forced === 'tensorflow' && name.startsWith('tensorflow'));

  for (const [name, pkg] of [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
    ['tensorflow', '@tensorflow/tfjs-node'],
  ] as const) {
    if (!want(name)) continue;
    try {
      await tryNative(pkg);
      return { name, tfBackend: tf.getBackend(), skipped };
    } catch (err) {
      skipped.push({ name, reason: firstLine(err) });
    }
  }

  if (want('wasm')) {
    try {
      setWasmPaths(wasmDistFolder());
      if (await withoutEmscriptenHandlers(() => tf.setBackend('wasm'))) {
        const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
        return { name: 'wasm', tfBackend: tf.getBackend(), simd, skipped };
      }
      skipped.push({ name: 'wasm', reason: 'setBackend("wasm") returned false' });
    } catch (err) {
      skipped.push({ name: 'wasm', reason: firstLine(err) });
    }
  }

  if (!(await tf.setBackend('cpu'))) throw new Error('no TensorFlow.js backend could be initialised');
  return { name: 'cpu', tfBackend: tf.getBackend(), skipped };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

/** Pick and initialise the backend (once per process); resolves to what was chosen. */
export function ready(): Promise<BackendInfo> {
  chosen ??= choose().then((info) => {
    resolved = info;
    return info;
  });
  return chosen;
}

/** The chosen backend; throws if `ready()` has not resolved yet. */
export function backendInfo(): BackendInfo {
  if (!resolved) throw new Error('engine/tf: call `await ready()` first');
  return resolved;
}

/** A one-line description such as `wasm (SIMD)` for logs and model cards. */
export function describeBackend(info: BackendInfo): string {
  if (info.name === 'wasm') return `wasm (${info.simd ? 'SIMD' : 'no SIMD'}, single thread)`;
  return info.name;
}

/** Exposed for tests: whether a kernel is registered for the active backend. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Runs `init`, then removes the process listeners it added. The wasm backend's Emscripten runtime adds
 * `uncaughtException` and `unhandledRejection` listeners that re-throw, which turns any later stray error
 * of the host application into exit code 7 with the whole wasm glue code printed; without them Node's
 * usual handling applies.
 */
async function withoutEmscriptenHandlers<T>(init: () => Promise<T>): Promise<T> {
  const emitter = process as NodeJS.EventEmitter;
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  try {
    return await init();
  } finally {
    for (const event of PROCESS_EVENTS)
      for (const listener of emitter.listeners(event))
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as () => void);
  }
}
