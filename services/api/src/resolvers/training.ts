// Retraining: training runs with their live progress, the job queue, triggerRetraining and
// cancelTrainingRun (admin).
import type { JobQueue, JobRow } from '@gexbert/core/jobs/queue';
import { CancelRefused, cancelTrainingRun } from '@gexbert/core/training/cancel';
import { requestRetraining } from '@gexbert/core/training/request';
import { trainingRunExists, trainingRunPage } from '@gexbert/core/training/runs';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql/index.js';
import { type Context, requireRole } from '../context.ts';
import { badInput, notFound, parseId } from '../errors.ts';
import type { JobState, Resolvers } from '../generated/graphql.ts';
import { connection, pageRequest } from '../pagination.ts';
import { retrainingOverrides } from '../retrainingConfig.ts';
import type { TrainingRunRow } from '../rows.ts';

const MAX_ID = 2_147_483_647;

function queueOf(context: Context): JobQueue {
  if (!context.queue)
    throw new GraphQLError(
      'this API server has no job queue, so retraining and jobs are unavailable; start it with `gexbert start` (which opens the queue)',
      { extensions: { code: 'SERVICE_UNAVAILABLE' } },
    );
  return context.queue;
}

/** Training done, 0-100; null while RUNNING before the first progress report (or after a failure without one). */
export function percentDone(
  run: Pick<TrainingRunRow, 'status' | 'step' | 'totalSteps' | 'epoch' | 'totalEpochs'>,
): number | null {
  if (run.status === 'SUCCEEDED') return 100;
  const clamp = (x: number) => Math.min(100, Math.max(0, x));
  if (run.step !== null && run.totalSteps) return clamp((100 * run.step) / run.totalSteps);
  if (run.epoch !== null && run.totalEpochs) return clamp((100 * run.epoch) / run.totalEpochs);
  if (run.status === 'QUEUED') return 0;
  return null;
}

/** heartbeatAt + etaSeconds while RUNNING. */
export function estimatedFinish(
  run: Pick<TrainingRunRow, 'status' | 'etaSeconds' | 'heartbeatAt'>,
): Date | null {
  if (run.status !== 'RUNNING' || run.etaSeconds === null || !run.heartbeatAt) return null;
  return new Date(run.heartbeatAt.getTime() + run.etaSeconds * 1000);
}

// Job IDs are the queue's (UUID strings), so the cursors are base64url of "Job:<id>".
const JOB_CURSOR = /^Job:([0-9A-Za-z-]{1,100})$/;

function jobCursor(id: string): string {
  return Buffer.from(`Job:${id}`, 'utf8').toString('base64url');
}

function decodeJobCursor(cursor: string): string {
  const match = JOB_CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`invalid cursor ${JSON.stringify(cursor)} for Job`);
  return match[1]!;
}

/** Per-request batching of the queue's single-job lookups (TrainingRun.job over a page of runs). */
const jobLoaders = new WeakMap<Context, DataLoader<string, JobRow | null>>();

function jobLoader(context: Context, queue: JobQueue): DataLoader<string, JobRow | null> {
  let loader = jobLoaders.get(context);
  if (!loader) {
    loader = new DataLoader((keys) => Promise.all(keys.map((id) => queue.job(id))));
    jobLoaders.set(context, loader);
  }
  return loader;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const trainingResolvers: Resolvers = {
  Query: {
    trainingRuns: async (_, args, { prisma, config }) => {
      const page = pageRequest('TrainingRun', args, config);
      const { rows, total } = await trainingRunPage(
        prisma,
        args.status,
        page.afterId || MAX_ID,
        page.first + 1,
      );
      return connection('TrainingRun', page, rows, total, (t) => t.id);
    },
    trainingRun: (_, { id }, { loaders }) => loaders.trainingRun.load(parseId(id, 'training run ID')),
    jobs: async (_, args, context) => {
      const queue = queueOf(context);
      const { first } = pageRequest('Job', { first: args.first }, context.config);
      const after = args.after ? decodeJobCursor(args.after) : undefined;
      const { rows, totalCount } = await queue.jobs({
        first: first + 1,
        after,
        state: args.state?.toLowerCase(),
      });
      const nodes = rows.slice(0, first);
      const edges = nodes.map((node) => ({ cursor: jobCursor(node.id), node }));
      return {
        edges,
        nodes,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== undefined,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        totalCount,
      };
    },
    job: (_, { id }, context) => {
      const queue = queueOf(context);
      return jobLoader(context, queue).load(String(id));
    },
  },
  Mutation: {
    triggerRetraining: async (_, { config, includeSimulated }, context) => {
      requireRole(context, 'ADMIN');
      const overrides = retrainingOverrides(config);
      const queue = queueOf(context);
      return requestRetraining(
        { prisma: context.prisma, queue },
        {
          reason: 'MANUAL',
          requestedBy: context.token?.name,
          config: overrides,
          // simulated samples only on an explicit request (carried to the worker in the run's config)
          includeSimulated: includeSimulated === true,
        },
      );
    },
    cancelTrainingRun: async (_, { id }, context) => {
      requireRole(context, 'ADMIN');
      const runId = parseId(id, 'training run ID');
      if (!(await trainingRunExists(context.prisma, runId))) throw notFound(`training run ${runId}`);
      try {
        return await cancelTrainingRun(
          { prisma: context.prisma, queue: context.queue },
          runId,
          context.token?.name ?? 'admin',
        );
      } catch (error) {
        if (error instanceof CancelRefused) throw badInput(error.message);
        throw error;
      }
    },
  },
  TrainingRun: {
    percent: (t) => percentDone(t),
    estimatedFinishAt: (t) => iso(estimatedFinish(t)),
    heartbeatAt: (t) => iso(t.heartbeatAt),
    createdAt: (t) => t.createdAt.toISOString(),
    startedAt: (t) => iso(t.startedAt),
    finishedAt: (t) => iso(t.finishedAt),
    cancelRequestedAt: (t) => iso(t.cancelRequestedAt),
    cancelledAt: (t) => iso(t.cancelledAt),
    modelVersion: (t, _, { loaders }) =>
      t.modelVersionId === null ? null : loaders.modelVersion.load(t.modelVersionId),
    job: (t, _, context) =>
      t.jobId === null || !context.queue ? null : jobLoader(context, context.queue).load(t.jobId),
  },
  Job: {
    state: (j) => j.state.toUpperCase() as JobState,
    createdOn: (j) => j.createdOn.toISOString(),
    startedOn: (j) => iso(j.startedOn),
    completedOn: (j) => iso(j.completedOn),
    trainingRun: (j, _, { loaders }) => loaders.trainingRunOfJob.load(j.id),
  },
  ModelVersion: {
    trainingRuns: (m, _, { loaders }) => loaders.trainingRunsOfVersion.load(m.id),
  },
};
