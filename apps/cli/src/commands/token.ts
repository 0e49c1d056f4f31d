// gexbert token create|list|revoke: API tokens (the secret is printed once; only its hash is stored).
import { createToken, listTokens, ROLES, revokeToken } from '@gexbert/core/auth/tokens';
import { type Command, Option } from 'commander';
import { type OutputOptions, report } from '../output.ts';
import { withPlatform } from '../session.ts';

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens for the GraphQL API');
  token
    .command('create')
    .description('create a token and print its secret (shown once)')
    .requiredOption('--name <name>', 'who or what the token is for')
    .addOption(
      new Option('--role <role>', 'what it may do')
        .choices(ROLES.map((r) => r.toLowerCase()))
        .default('reader'),
    )
    .option('--json', 'print the result as JSON')
    .action((flags: OutputOptions & { name: string; role: string }) =>
      withPlatform(flags, async ({ prisma }) => {
        const role = flags.role.toUpperCase() as (typeof ROLES)[number];
        const { token: secret, row } = await createToken(prisma, flags.name, role);
        report(flags, { id: row.id, name: row.name, role: row.role, token: secret }, () => [
          `token #${row.id} (${row.role}) for ${row.name}:`,
          secret,
          'send it as "Authorization: Bearer <token>"; it is not shown again',
        ]);
      }),
    );
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print the result as JSON')
    .action((flags: OutputOptions) =>
      withPlatform(flags, async ({ prisma }) => {
        const rows = await listTokens(prisma);
        report(flags, { tokens: rows }, () =>
          rows.map((r) => `#${r.id} ${r.role.padEnd(7)} ${r.name}${r.revokedAt ? ' (revoked)' : ''}`),
        );
      }),
    );
  token
    .command('revoke <id>')
    .description('revoke a token')
    .option('--json', 'print the result as JSON')
    .action((id: string, flags: OutputOptions) =>
      withPlatform(flags, async ({ prisma }) => {
        const revoked = await revokeToken(prisma, Number(id));
        if (!revoked) throw new Error(`no active token #${id}`);
        report(flags, { revoked: Number(id) }, () => [`token #${id} revoked`]);
      }),
    );
}
