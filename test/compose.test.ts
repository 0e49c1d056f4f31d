// docker-compose.yml must parse (`docker compose config` v2, or `docker-compose config` v1 from apt) and
// describe the scaled-out platform: PostgreSQL, two API replicas, a worker and the portal from one image,
// each with a health check, and no volume except PostgreSQL's (models live in the database).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../services/core/src/config.ts';

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return null;
}

function compose(...args: string[]): string {
  const command = composeCommand();
  expect(
    command,
    'no docker compose here: install Debian package docker-compose (.ci/run does)',
  ).not.toBeNull();
  const [cmd, ...rest] = command!;
  const result = spawnSync(
    cmd!,
    [...rest, '-f', path.join(REPO_ROOT, 'docker-compose.yml'), 'config', ...args],
    {
      encoding: 'utf8',
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

/** The resolved configuration's text of each service (the blocks indented under `services:`). */
function serviceBlocks(config: string): Record<string, string> {
  const services = config
    .slice(config.indexOf('\nservices:\n') + 1)
    .split('\n')
    .slice(1);
  const blocks: Record<string, string> = {};
  let current: string | null = null;
  for (const line of services) {
    if (/^\S/.test(line)) break; // the next top-level key
    const name = /^ {2}([\w-]+):$/.exec(line)?.[1];
    if (name) current = name;
    else if (current) blocks[current] = `${blocks[current] ?? ''}${line}\n`;
  }
  return blocks;
}

it('docker-compose.yml parses into PostgreSQL, two API replicas, a worker and the portal', () => {
  expect(compose('--services').trim().split('\n').sort()).toEqual(['api', 'portal', 'postgres', 'worker']);
  const blocks = serviceBlocks(compose());
  expect(blocks.api).toMatch(/replicas: 2/);
  expect(blocks.api).toMatch(/gexbert[\s\S]*start[\s\S]*--no-worker/);
  expect(blocks.api).toMatch(/127\.0\.0\.1:4000\/health/);
  expect(blocks.worker).toMatch(/gexbert[\s\S]*worker/);
  expect(blocks.portal).toMatch(/GEXBERT_PORTAL_API_URL: http:\/\/api:4000\/graphql/);
  for (const name of ['postgres', 'api', 'portal']) expect(blocks[name], name).toMatch(/healthcheck:/);
  // One image for the platform's services; models live in PostgreSQL, so only PostgreSQL has a volume.
  for (const name of ['api', 'worker', 'portal']) {
    expect(blocks[name], name).toMatch(/image: gexbert-platform/);
    expect(blocks[name], name).not.toMatch(/volumes:/);
    expect(blocks[name], name).toMatch(
      /DATABASE_URL: postgresql:\/\/gexbert:\S+@postgres:5432\/gexbert|GEXBERT_PORTAL_API_URL/,
    );
  }
  expect(blocks.postgres).toMatch(/volumes:/);
});
