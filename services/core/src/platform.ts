// A connection to the platform's database, ready to use: server started (or reached), migrations applied.
import pg from 'pg';
import { type Config, loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { startDatabase } from './db/postgres.ts';
import { createPrisma, type PrismaClient } from './db/prisma.ts';

export interface Platform {
  config: Config;
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Migrations this open applied. */
  migrated: string[];
  close(): Promise<void>;
}

export async function openPlatform(
  config: Config = loadConfig(),
  log: (line: string) => void = () => {},
): Promise<Platform> {
  const database = await startDatabase(config, log);
  try {
    const migrated = await migrate(database.url);
    const pool = new pg.Pool({ connectionString: database.url, max: 8 });
    // An idle connection that the server ends (e.g. PostgreSQL stopping first) is reported, not fatal.
    pool.on('error', (error) => log(`idle database connection closed: ${error.message}`));
    const prisma = createPrisma(database.url);
    let closed = false;
    return {
      config,
      url: database.url,
      pool,
      prisma,
      migrated,
      close: async () => {
        if (closed) return;
        closed = true;
        await prisma.$disconnect();
        await pool.end();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
