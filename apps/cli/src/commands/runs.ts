// gexbert runs list|cancel: training runs (retraining requests and their progress) and cancelling one.
import os from 'node:os';
import { openJobQueue } from '@gexbert/core/jobs/queue';
import { cancelTrainingRun } from '@gexbert/core/training/cancel';
import { newestTrainingRuns } from '@gexbert/core/training/runs';
import type { Command } from 'commander';
import { type OutputOptions, report } from '../output.ts';
import { withPlatform } from '../session.ts';

function progressOf(run: { step: number | null; totalSteps: number | null }): string {
  return run.step !== null && run.totalSteps ? ` step ${run.step}/${run.totalSteps}` : '';
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('training runs (retraining) and cancelling them');
  runs
    .command('list')
    .description('list training runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print the result as JSON')
    .action((flags: OutputOptions & { limit: string }) =>
      withPlatform(flags, async ({ prisma }) => {
        const rows = await newestTrainingRuns(prisma, Math.max(1, Number(flags.limit) || 20));
        report(flags, { runs: rows }, () =>
          rows.length === 0
            ? ['no training runs']
            : rows.map(
                (r) =>
                  `#${r.id} ${r.status.padEnd(11)} ${r.reason.padEnd(9)} model version ${r.modelVersionId ?? '-'}${progressOf(r)}${r.cancelRequestedAt && r.status === 'RUNNING' ? ' (cancel requested)' : ''} created ${r.createdAt.toISOString()}${r.error ? ` — ${r.error}` : ''}`,
              ),
        );
      }),
    );
  runs
    .command('cancel <id>')
    .description(
      'cancel a QUEUED, RUNNING or INTERRUPTED run (a running one stops at its next training step); its model version is FAILED',
    )
    .option('--json', 'print the run as JSON')
    .action((id: string, flags: OutputOptions) =>
      withPlatform(flags, async ({ prisma, url }) => {
        const runId = Number(id);
        if (!Number.isSafeInteger(runId) || runId < 1) throw new Error(`not a training run id: ${id}`);
        const queue = await openJobQueue(url);
        try {
          const run = await cancelTrainingRun({ prisma, queue }, runId, `cli:${os.userInfo().username}`);
          report(flags, { ...run }, () => [
            run.status === 'CANCELLED'
              ? `training run ${run.id} CANCELLED`
              : `training run ${run.id}: cancel requested; its worker stops it at the next training step`,
          ]);
        } finally {
          await queue.close();
        }
      }),
    );
}
