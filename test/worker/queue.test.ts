// The job queue (pg-boss in the platform's database): sending, listing with cursor pages and a state
// filter, taking a job, failing it into a retry and for good, completing it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type JobQueue, openJobQueue, TRAIN_JOB } from '../../services/core/src/jobs/queue.ts';
import { createTestDatabase, query } from '../../services/core/test-support/database.ts';

let url: string;
let queue: JobQueue;

beforeAll(async () => {
  url = await createTestDatabase('queue');
  queue = await openJobQueue(url, { worker: true });
});
afterAll(() => queue?.close());

it('sends, lists, fetches, retries, fails and completes jobs', async () => {
  const ids: string[] = [];
  for (const runId of [1, 2, 3]) {
    ids.push(await queue.send(TRAIN_JOB, { runId }, { retryLimit: 1 }));
    await new Promise((r) => setTimeout(r, 5)); // distinct creation times
  }
  const [stored] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM pgboss.job WHERE name = $1`, [
    TRAIN_JOB,
  ]);
  expect(Number(stored!.n)).toBe(3);

  const first = await queue.jobs({ first: 2 });
  expect(first.totalCount).toBe(3);
  expect(first.rows.map((r) => r.id)).toEqual([ids[2], ids[1]]);
  const second = await queue.jobs({ first: 2, after: first.rows[1]!.id });
  expect(second.rows.map((r) => r.id)).toEqual([ids[0]]);
  expect(second.rows[0]!.data).toEqual({ runId: 1 });
  expect(second.rows[0]!.state).toBe('created');

  // Oldest first; failing it once puts it back (retry), failing it again (no retries left) fails it.
  const taken = await queue.fetch(TRAIN_JOB);
  expect(taken?.id).toBe(ids[0]);
  expect((await queue.job(ids[0]!))?.state).toBe('active');
  await queue.fail(TRAIN_JOB, ids[0]!, { message: 'worker died' });
  const retried = await queue.job(ids[0]!);
  expect(retried?.state).toBe('retry');
  const again = await queue.fetch(TRAIN_JOB);
  expect(again?.id).toBe(ids[0]);
  await queue.fail(TRAIN_JOB, ids[0]!, { message: 'worker died again' });
  expect((await queue.job(ids[0]!))?.state).toBe('failed');

  // retry: false fails a job for good even with retries left.
  const next = await queue.fetch(TRAIN_JOB);
  expect(next?.id).toBe(ids[1]);
  await queue.fail(TRAIN_JOB, ids[1]!, { message: 'bad config' }, { retry: false });
  expect((await queue.job(ids[1]!))?.state).toBe('failed');

  const last = await queue.fetch(TRAIN_JOB);
  await queue.complete(TRAIN_JOB, last!.id, { done: true });
  const completed = await queue.job(last!.id);
  expect(completed?.state).toBe('completed');
  expect(completed?.output).toEqual({ done: true });
  expect(await queue.fetch(TRAIN_JOB)).toBeNull();

  const failed = await queue.jobs({ first: 10, state: 'failed' });
  expect(failed.totalCount).toBe(2);
  expect(new Set(failed.rows.map((r) => r.id))).toEqual(new Set([ids[0], ids[1]]));
  expect(await queue.job('not-a-uuid')).toBeNull();
});
