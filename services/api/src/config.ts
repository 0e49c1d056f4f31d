// The API's settings: one zod-validated object, read from GEXBERT_API_* environment variables.
import { defaultCheckpointCache } from '@gexbert/core/registry/checkpointStore';
import { z } from 'zod';

const Bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

export const ApiConfigSchema = z.object({
  /** TCP port (0 = any free port). */
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  host: z.string().min(1).default('127.0.0.1'),
  /** Production: no stack traces, internal error messages masked, no landing page unless asked for. */
  production: Bool.default(false),
  /** The role of requests without a token; 'NONE' (default) refuses them. */
  anonymousRole: z.enum(['NONE', 'READER']).default('NONE'),
  introspection: Bool.optional(),
  /** Serve the local (offline) query page on GET / with Accept: text/html. */
  landingPage: Bool.optional(),
  maxDepth: z.coerce.number().int().min(1).default(10),
  /** Most aliased fields in one operation (fragments counted each time they are spread). */
  maxAliases: z.coerce.number().int().min(0).default(50),
  /** Estimated fields resolved (lists count `first` times); operations above it are refused. */
  maxCost: z.coerce.number().int().min(1).default(50_000),
  defaultPageSize: z.coerce.number().int().min(1).default(50),
  maxPageSize: z.coerce.number().int().min(1).default(500),
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(256).default(100_000),
  /**
   * How long (ms) a token check is remembered in this process; a revocation made elsewhere (another API
   * process, `gexbert token revoke`) takes effect within this time; 0 checks the database every request.
   */
  tokenCacheMs: z.coerce.number().int().min(0).default(2000),
  /** Largest file-upload request (multipart/form-data) accepted, in bytes; uploads are held in memory. */
  maxUploadBytes: z.coerce
    .number()
    .int()
    .min(256)
    .default(256 * 1024 * 1024),
  /** Most genes one `expression` field may ask for. */
  maxGenesPerRequest: z.coerce.number().int().min(1).default(1000),
  /**
   * Directories the ingest mutations may read from (the path must resolve inside one of them);
   * empty disables server-side ingest.
   */
  ingestDirs: z.array(z.string().min(1)).default([]),
  /** Most samples one `embeddings` query may ask for (a cohort counts all its samples). */
  maxEmbeddingBatch: z.coerce.number().int().min(1).default(1000),
  /**
   * Most members (and embedded samples) of a cohort whose map a request places with its UMAP when no worker
   * has stored it yet; a larger cohort's map is answered at once by the PCA of its stored embeddings, with
   * `umapStatus: PLACING`, while a worker places the UMAP (about 30 s of CPU at 11,000 samples; core
   * inference/cohortMapQueue.ts).
   */
  mapUmapOnRequest: z.coerce.number().int().min(0).default(1000),
  /**
   * Sample x gene values read above which `compareGroups` runs as a worker job (with a queue) instead of in the
   * request (measured: see services/api/README.md).
   */
  compareJobValues: z.coerce.number().int().min(0).default(5_000_000),
  /** Most genes a comparison's `filter.genes` may name. */
  maxComparisonGenes: z.coerce.number().int().min(1).default(20_000),
  /** Most samples one `imputationQuality` may restore. */
  maxImputationSamples: z.coerce.number().int().min(1).default(200),
  /** Most held-out genes one `imputationQuality` may restore. */
  maxImputationGenes: z.coerce.number().int().min(1).default(1000),
  /** Most samples merged into one predictor call (concurrent requests are batched up to this). */
  inferenceBatchSize: z.coerce.number().int().min(1).default(256),
  /** Milliseconds a predictor batch waits for more samples before it starts (cache hits never wait). */
  inferenceWaitMs: z.coerce.number().min(0).max(1000).default(5),
  /** How often (ms) the API checks which model is active (promote/rollback in this process apply at once). */
  modelCheckMs: z.coerce.number().int().min(0).default(1000),
  /** Model runtimes kept loaded at once (the active one and recently asked-for versions). */
  maxLoadedModels: z.coerce.number().int().min(1).default(2),
  /** Embeddings per loaded model also kept in memory over the SampleEmbedding cache (0 disables). */
  embeddingMemoryCache: z.coerce.number().int().min(0).default(20_000),
  /** Where this process caches the checkpoints it reads from the database (only a cache). */
  checkpointCacheDir: z.string().min(1).default(defaultCheckpointCache()),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
export type ApiConfigInput = z.input<typeof ApiConfigSchema>;

/** Environment variables and the setting each sets (GEXBERT_API_INGEST_DIRS is colon-separated). */
const ENV = {
  GEXBERT_API_PORT: 'port',
  GEXBERT_API_HOST: 'host',
  GEXBERT_API_PRODUCTION: 'production',
  GEXBERT_API_ANONYMOUS_ROLE: 'anonymousRole',
  GEXBERT_API_INTROSPECTION: 'introspection',
  GEXBERT_API_LANDING_PAGE: 'landingPage',
  GEXBERT_API_MAX_DEPTH: 'maxDepth',
  GEXBERT_API_MAX_ALIASES: 'maxAliases',
  GEXBERT_API_MAX_COST: 'maxCost',
  GEXBERT_API_DEFAULT_PAGE_SIZE: 'defaultPageSize',
  GEXBERT_API_MAX_PAGE_SIZE: 'maxPageSize',
  GEXBERT_API_MAX_BODY_BYTES: 'maxBodyBytes',
  GEXBERT_API_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  GEXBERT_API_TOKEN_CACHE_MS: 'tokenCacheMs',
  GEXBERT_API_MAX_GENES: 'maxGenesPerRequest',
  GEXBERT_API_INGEST_DIRS: 'ingestDirs',
  GEXBERT_API_MAX_EMBEDDING_BATCH: 'maxEmbeddingBatch',
  GEXBERT_API_MAP_UMAP_ON_REQUEST: 'mapUmapOnRequest',
  GEXBERT_API_COMPARE_JOB_VALUES: 'compareJobValues',
  GEXBERT_API_MAX_COMPARISON_GENES: 'maxComparisonGenes',
  GEXBERT_API_MAX_IMPUTATION_SAMPLES: 'maxImputationSamples',
  GEXBERT_API_MAX_IMPUTATION_GENES: 'maxImputationGenes',
  GEXBERT_API_INFERENCE_BATCH_SIZE: 'inferenceBatchSize',
  GEXBERT_API_INFERENCE_WAIT_MS: 'inferenceWaitMs',
  GEXBERT_API_MODEL_CHECK_MS: 'modelCheckMs',
  GEXBERT_API_MAX_LOADED_MODELS: 'maxLoadedModels',
  GEXBERT_API_EMBEDDING_MEMORY_CACHE: 'embeddingMemoryCache',
  GEXBERT_CHECKPOINT_CACHE_DIR: 'checkpointCacheDir',
} as const;

/** The settings from the environment, overridden by `overrides`; throws a one-line error when invalid. */
export function loadApiConfig(
  overrides: ApiConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): ApiConfig {
  const fromEnv: Record<string, unknown> = {};
  if (env.NODE_ENV === 'production') fromEnv.production = true;
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    fromEnv[key] = key === 'ingestDirs' ? value.split(':').filter(Boolean) : value;
  }
  const parsed = ApiConfigSchema.safeParse({ ...fromEnv, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const envName = Object.entries(ENV).find(([, key]) => key === issue.path[0])?.[0];
    throw new Error(`invalid API setting ${envName ?? issue.path.join('.')}: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.defaultPageSize > config.maxPageSize)
    throw new Error(
      'invalid API setting GEXBERT_API_DEFAULT_PAGE_SIZE: larger than GEXBERT_API_MAX_PAGE_SIZE',
    );
  return config;
}
