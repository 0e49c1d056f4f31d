// Vitest global setup: one embedded PostgreSQL for the whole run, with a migrated template database.
import type { TestProject } from 'vitest/node';
import { startTestServer } from '../../services/core/test-support/database.ts';

export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide('pgAdminUrl', server.adminUrl);
  return server.stop;
}
