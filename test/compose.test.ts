// docker-compose.yml must parse: `docker compose config` (v2) or `docker-compose config` (v1, from apt).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../services/core/src/config.ts';

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return null;
}

it('docker-compose.yml parses and defines PostgreSQL and the platform', () => {
  const compose = composeCommand();
  expect(
    compose,
    'no docker compose here: install Debian package docker-compose (.ci/run does)',
  ).not.toBeNull();
  const [cmd, ...args] = compose!;
  const result = spawnSync(
    cmd!,
    [...args, '-f', path.join(REPO_ROOT, 'docker-compose.yml'), 'config', '--services'],
    {
      encoding: 'utf8',
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout.trim().split('\n').sort()).toEqual(expect.arrayContaining(['platform', 'postgres']));
});
