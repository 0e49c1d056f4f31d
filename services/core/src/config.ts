// The platform's configuration: one typed, validated object, read from the environment once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineChoice } from '@gexbert/model/training';
import { z } from 'zod';

/** The repository root (this file lives in services/core/src). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const Port = z.coerce.number().int().min(1).max(65535);
/** true/false (also 1/0, yes/no, on/off) from the environment. */
const Flag = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);

/** The GexBERT training engines (model/src/gexbert/training/engine.ts). */
const TRAIN_ENGINES = ['auto', 'tfjs', 'onnxruntime'] as const satisfies readonly EngineChoice[];

export const ConfigSchema = z.object({
  /** An external PostgreSQL to use instead of the embedded one. */
  databaseUrl: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its files (git-ignored). */
  dataDir: z.string().min(1),
  /** Port of the embedded PostgreSQL. */
  pgPort: Port,
  /** The read-only shared data folder beside the checkout (real TCGA data, fixtures); may be absent. */
  sharedDir: z.string().min(1),
  /** Imports fail when more than this fraction of a file's gene IDs are unknown. */
  maxUnknownGeneFraction: z.coerce.number().min(0).max(1),
  /** Where trained model versions are written (default: <dataDir>/models). */
  modelsDir: z.string().min(1).optional(),
  /**
   * Where this process caches the checkpoints it reads from the database (default: a folder in the OS
   * temporary directory; any local disk will do, it is only a cache).
   */
  checkpointCacheDir: z.string().min(1).optional(),
  /** Retraining starts when this many new training samples arrived since the active model (0 = never). */
  retrainThreshold: z.coerce.number().int().min(0),
  /** How often the worker checks the threshold, in seconds. */
  retrainCheckSeconds: z.coerce.number().positive(),
  /** The worker's heartbeat interval while training, in seconds. */
  workerHeartbeatSeconds: z.coerce.number().positive(),
  /** A RUNNING training run whose heartbeat is older than this is taken to have lost its worker. */
  workerStaleSeconds: z.coerce.number().positive(),
  /** How often an idle worker looks for jobs, in seconds. */
  workerPollSeconds: z.coerce.number().positive(),
  /** How many times a training job is retried after its worker died. */
  trainingRetries: z.coerce.number().int().min(0),
  /** Promotion gate tolerance: how much worse a candidate may be and still be promoted (0 = not worse). */
  gateTolerance: z.coerce.number().min(0),
  /**
   * Whether a THRESHOLD retraining whose candidate passes the gate is promoted at once (the default); when
   * false it stays CANDIDATE until an admin promotes it (promoteModel). Manual runs are always promoted.
   */
  autoPromote: Flag,
  /** Samples per precompute job (embeddings and predictions of stored samples, services/worker). */
  precomputeBatch: z.coerce.number().int().min(1).max(100000),
  /**
   * How often (and at its start) a worker queues the precompute of stored samples the active model has no
   * answers for, and re-sends lost or failed batches (0 = never: only promotions and ingests queue batches).
   */
  precomputeCheckSeconds: z.coerce.number().min(0),
  /**
   * Samples of a cancer type whose gene attributions make a cohort's gene importance ranking of the type
   * (each costs one encoder pass per measured gene: 12-17 s for a whole 1,000-gene profile on 2 cores); the
   * worker's gene-importance job and the API use the same bound (inference/geneImportance.ts).
   */
  attributionSamples: z.coerce.number().int().min(1).max(200),
  /**
   * Seconds after which a sample's attributions progress row not updated belongs to a process that died, so
   * another may compute them (inference/attributionProgress.ts; the computing process writes it every second,
   * while it waits for the model too).
   */
  attributionStaleSeconds: z.coerce.number().positive(),
  /**
   * Whether workers compute every cohort's gene importance rankings ahead, after each finished precompute
   * (on, the default). Off, a worker neither queues nor takes gene-importance jobs; the API still computes a
   * ranking when it is asked for one.
   */
  geneImportance: Flag,
  /**
   * Who computes loss and gradients when GexBERT trains (gexbert train, gexbert evaluate, the worker):
   * `auto` (onnxruntime, else tfjs with a warning), `onnxruntime` (an error when it cannot start) or `tfjs`.
   */
  trainEngine: z.string().trim().pipe(z.enum(TRAIN_ENGINES)),
  /**
   * The scheduling niceness `gexbert worker` takes (0 = as the API; 19 = only idle CPU): on a machine the
   * worker shares with the API, background precompute, rankings and training take the CPU the API leaves.
   */
  workerNice: z.coerce.number().int().min(0).max(19),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Environment variables read by the platform, and what each sets. */
const ENV = {
  DATABASE_URL: 'databaseUrl',
  GEXBERT_DATA_DIR: 'dataDir',
  GEXBERT_PG_PORT: 'pgPort',
  GEXBERT_SHARED_DIR: 'sharedDir',
  GEXBERT_MAX_UNKNOWN_GENES: 'maxUnknownGeneFraction',
  GEXBERT_MODELS_DIR: 'modelsDir',
  GEXBERT_CHECKPOINT_CACHE_DIR: 'checkpointCacheDir',
  GEXBERT_RETRAIN_THRESHOLD: 'retrainThreshold',
  GEXBERT_RETRAIN_CHECK_SECONDS: 'retrainCheckSeconds',
  GEXBERT_WORKER_HEARTBEAT_SECONDS: 'workerHeartbeatSeconds',
  GEXBERT_WORKER_STALE_SECONDS: 'workerStaleSeconds',
  GEXBERT_WORKER_POLL_SECONDS: 'workerPollSeconds',
  GEXBERT_TRAINING_RETRIES: 'trainingRetries',
  GEXBERT_GATE_TOLERANCE: 'gateTolerance',
  GEXBERT_AUTO_PROMOTE: 'autoPromote',
  GEXBERT_PRECOMPUTE_BATCH: 'precomputeBatch',
  GEXBERT_PRECOMPUTE_CHECK_SECONDS: 'precomputeCheckSeconds',
  GEXBERT_ATTRIBUTION_SAMPLES: 'attributionSamples',
  GEXBERT_ATTRIBUTION_STALE_SECONDS: 'attributionStaleSeconds',
  GEXBERT_GENE_IMPORTANCE: 'geneImportance',
  GEXBERT_TRAIN_ENGINE: 'trainEngine',
  GEXBERT_WORKER_NICE: 'workerNice',
} as const;

const DEFAULTS: Config = {
  dataDir: path.join(REPO_ROOT, '.data'),
  pgPort: 54329,
  sharedDir: path.resolve(REPO_ROOT, '..', 'shared'),
  maxUnknownGeneFraction: 0.5,
  retrainThreshold: 50,
  retrainCheckSeconds: 60,
  workerHeartbeatSeconds: 5,
  workerStaleSeconds: 60,
  workerPollSeconds: 2,
  trainingRetries: 2,
  gateTolerance: 0,
  autoPromote: true,
  precomputeBatch: 500,
  precomputeCheckSeconds: 30,
  attributionSamples: 16,
  attributionStaleSeconds: 120,
  geneImportance: true,
  trainEngine: 'auto',
  workerNice: 10,
};

/** Builds the configuration from defaults, the environment and explicit overrides, in that order. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const fromEnv: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const parsed = ConfigSchema.safeParse({ ...DEFAULTS, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const variable = Object.entries(ENV).find(([, k]) => k === key)?.[0];
      return `${variable ?? key}: ${issue.message}`;
    });
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Where trained model versions are written. */
export function modelsDirectory(config: Config): string {
  return config.modelsDir ?? path.join(config.dataDir, 'models');
}
