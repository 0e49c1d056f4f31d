// The platform's job queue: pg-boss in the platform's own PostgreSQL (schema "pgboss"), no extra server.
// This is the only module that imports pg-boss; everything else sees the JobQueue interface.
import PgBoss from 'pg-boss';

/** Retrain a model: data { runId } (a TrainingRun id). */
export const TRAIN_JOB = 'train-model';

/** Compute and store stored samples' embeddings and predictions: data { batchId } (a PrecomputeBatch id). */
export const PRECOMPUTE_JOB = 'precompute';

/** Compare two groups of samples gene by gene: data { comparisonId } (a GroupComparison id). */
export const COMPARE_JOB = 'compare-groups';

/**
 * Store a cohort's gene importance rankings (every cancer type and attribution target) by a model version's
 * heads: data { cohortId, modelVersionId } (services/worker/src/geneImportanceJob.ts). At most one waiting
 * and one running per cohort and version (queue policy `stately`, keyed by `sendOnce`).
 */
export const GENE_IMPORTANCE_JOB = 'gene-importance';

/**
 * Place and store one cohort's map by a model version (PCA and UMAP), then queue its gene importance: data
 * { cohortId, modelVersionId } (services/worker/src/cohortMapJob.ts), sent when a cohort is made or its members
 * change after the version's precompute. At most one waiting per cohort and version (`stately`, `sendOnce`).
 */
export const COHORT_MAP_JOB = 'cohort-map';

/** Jobs may stay active this long before pg-boss itself fails them; dead workers are found sooner by the
 * training run's heartbeat (see services/worker). */
const JOB_EXPIRE_SECONDS = 12 * 3600;

export interface JobRow {
  id: string;
  name: string;
  /** created | retry | active | completed | cancelled | failed */
  state: string;
  retryCount: number;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  data: unknown;
  output: unknown;
}

export interface FetchedJob {
  id: string;
  name: string;
  data: unknown;
}

export interface JobQueue {
  send(name: string, data: object, options?: { retryLimit?: number }): Promise<string>;
  /** Sends a job of a `stately` queue unless one with this key is waiting already: its id, or null. */
  sendOnce(name: string, data: object, key: string): Promise<string | null>;
  /** Jobs, newest first; `after` is the id of the last job of the previous page. */
  jobs(opts: {
    first: number;
    after?: string;
    state?: string;
  }): Promise<{ rows: JobRow[]; totalCount: number }>;
  job(id: string): Promise<JobRow | null>;
  /** Takes the next job of `name` (it becomes active), or null when there is none. */
  fetch(name: string): Promise<FetchedJob | null>;
  /** Whether a job of one of `names` waits to be taken (one `fetch` would take now): one indexed query. */
  waiting(names: readonly string[]): Promise<boolean>;
  complete(name: string, id: string, output?: object): Promise<void>;
  /** Fails an active job: it is retried while it has retries left (`retry: false` fails it for good). */
  fail(name: string, id: string, output: object, options?: { retry?: boolean }): Promise<void>;
  /** Cancels a job that has not finished (created, retry or active): it is never run or retried again. */
  cancel(name: string, id: string): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = 'pgboss';

interface RawJob {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  data: unknown;
  output: unknown;
}

function toRow(r: RawJob): JobRow {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    retryCount: r.retry_count,
    createdOn: r.created_on,
    startedOn: r.started_on,
    completedOn: r.completed_on,
    data: r.data,
    output: r.output,
  };
}

// Jobs live in pgboss.job until archived (completed/failed jobs move to pgboss.archive after a while).
const COLUMNS =
  'id, name, state::text AS state, retry_count, created_on, started_on, completed_on, data, output';
const allJobs = (alias: string) =>
  `(SELECT ${COLUMNS} FROM ${SCHEMA}.job UNION ALL SELECT ${COLUMNS} FROM ${SCHEMA}.archive) ${alias}`;

/**
 * Opens the queue (installing or migrating pg-boss's schema when needed). A `worker` queue also runs
 * pg-boss's maintenance (expiry, archiving); the API's queue only sends and reads.
 */
export async function openJobQueue(url: string, options: { worker?: boolean } = {}): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: url,
    schema: SCHEMA,
    max: 3,
    application_name: options.worker ? 'gexbert-worker-queue' : 'gexbert-queue',
    supervise: options.worker === true,
    schedule: false,
  });
  let lastError: Error | undefined;
  boss.on('error', (error) => {
    lastError = error;
  });
  await boss.start();
  if (!(await boss.getQueue(TRAIN_JOB))) {
    await boss.createQueue(TRAIN_JOB, {
      name: TRAIN_JOB,
      expireInSeconds: JOB_EXPIRE_SECONDS,
      retryLimit: 2,
    });
  }
  if (!(await boss.getQueue(PRECOMPUTE_JOB))) {
    // Retried by the precompute check (services/core/src/inference/precompute.ts), not by pg-boss.
    await boss.createQueue(PRECOMPUTE_JOB, { name: PRECOMPUTE_JOB, expireInSeconds: 3600, retryLimit: 0 });
  }
  if (!(await boss.getQueue(COMPARE_JOB))) {
    // A comparison whose worker died is started again by the next request for it (comparison/store.ts).
    await boss.createQueue(COMPARE_JOB, { name: COMPARE_JOB, expireInSeconds: 3600, retryLimit: 1 });
  }
  if (!(await boss.getQueue(GENE_IMPORTANCE_JOB))) {
    // Sent again by the next precompute that finishes; a stopped worker's job is simply left.
    await boss.createQueue(GENE_IMPORTANCE_JOB, {
      name: GENE_IMPORTANCE_JOB,
      policy: 'stately',
      expireInSeconds: JOB_EXPIRE_SECONDS,
      retryLimit: 0,
    });
  }
  if (!(await boss.getQueue(COHORT_MAP_JOB))) {
    // Sent again by the workers' periodic check while the cohort's map is missing.
    await boss.createQueue(COHORT_MAP_JOB, {
      name: COHORT_MAP_JOB,
      policy: 'stately',
      expireInSeconds: 3600,
      retryLimit: 0,
    });
  }
  const db = boss.getDb();
  const sql = async <T>(text: string, values: unknown[] = []) =>
    (await db.executeSql(text, values)).rows as T[];
  let closed = false;

  return {
    async send(name, data, opts = {}) {
      const id = await boss.send(name, data, {
        expireInSeconds: JOB_EXPIRE_SECONDS,
        ...(opts.retryLimit === undefined ? {} : { retryLimit: opts.retryLimit }),
      });
      if (!id)
        throw new Error(
          `the job queue did not accept the "${name}" job${lastError ? `: ${lastError.message}` : ''}`,
        );
      return id;
    },
    async sendOnce(name, data, key) {
      return boss.send(name, data, { singletonKey: key, expireInSeconds: JOB_EXPIRE_SECONDS, retryLimit: 0 });
    },
    async jobs({ first, after, state }) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (state) {
        values.push(state);
        where.push(`j.state = $${values.length}`);
      }
      const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const [{ n }] = (await sql<{ n: string }>(
        `SELECT count(*) AS n FROM ${allJobs('j')} ${filter}`,
        values,
      )) as [{ n: string }];
      const page = [...values];
      let cursor = '';
      if (after) {
        page.push(after);
        const p = `$${page.length}`;
        cursor = `${where.length ? 'AND' : 'WHERE'} (j.created_on, j.id) < (SELECT c.created_on, c.id FROM ${allJobs('c')} WHERE c.id = ${p}::uuid LIMIT 1)`;
      }
      page.push(Math.max(0, first));
      const rows = await sql<RawJob>(
        `SELECT * FROM ${allJobs('j')} ${filter} ${cursor} ORDER BY j.created_on DESC, j.id DESC LIMIT $${page.length}`,
        page,
      );
      return { rows: rows.map(toRow), totalCount: Number(n) };
    },
    async job(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const rows = await sql<RawJob>(`SELECT * FROM ${allJobs('j')} WHERE j.id = $1::uuid LIMIT 1`, [id]);
      return rows[0] ? toRow(rows[0]) : null;
    },
    async fetch(name) {
      const [job] = await boss.fetch<object>(name, { batchSize: 1 });
      return job ? { id: job.id, name: job.name, data: job.data } : null;
    },
    async waiting(names) {
      // what pg-boss's fetch takes: not yet active, and due (its index job_i5 covers this)
      const [row] = await sql<{ waiting: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${SCHEMA}.job
           WHERE name = ANY($1::text[]) AND state < 'active' AND start_after < now()) AS waiting`,
        [names],
      );
      return row?.waiting === true;
    },
    async complete(name, id, output = {}) {
      await boss.complete(name, id, output);
    },
    async fail(name, id, output, opts = {}) {
      if (opts.retry === false) {
        await sql(`UPDATE ${SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2::uuid`, [
          name,
          id,
        ]);
      }
      await boss.fail(name, id, output);
    },
    async cancel(name, id) {
      await boss.cancel(name, id);
    },
    async close() {
      if (closed) return;
      closed = true;
      await boss.stop({ graceful: false, wait: true, close: true });
    },
  };
}
