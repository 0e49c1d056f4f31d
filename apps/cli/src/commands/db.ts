// gexbert db migrate|status
import { databaseContents } from '@gexbert/core/db/contents';
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';
import { report } from '../output.ts';
import { withPlatform } from '../session.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database');
  db.command('migrate')
    .description('apply pending migrations (every command does this first)')
    .option('--json', 'print the result as JSON')
    .action((flags: OutputOptions) =>
      withPlatform(flags, async ({ migrated }) =>
        report(flags, { applied: migrated }, () => [
          migrated.length ? `applied: ${migrated.join(', ')}` : 'the database is up to date',
        ]),
      ),
    );
  db.command('status')
    .description('what the database holds')
    .option('--json', 'print the result as JSON')
    .action((flags: OutputOptions) =>
      withPlatform(flags, async ({ prisma, url }) => {
        const status = { database: redact(url), ...(await databaseContents(prisma)) };
        report(flags, status, () => Object.entries(status).map(([k, v]) => `${k.padEnd(10)} ${v}`));
      }),
    );
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
