// The Prisma client knows which schema it was generated from: `node scripts/prisma.mjs generate` writes the
// schema's sha256 beside it, and a client from another schema (code updated without `npm install`) is refused
// before its queries fail with "Unknown argument".
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@gexbert/core/config';
import { assertClientMatchesSchema, stampMatchesSchema } from '@gexbert/core/db/prisma';
import { expect, it } from 'vitest';

it("this checkout's client matches its schema (generate wrote the stamp)", () => {
  expect(() => assertClientMatchesSchema()).not.toThrow();
  expect(
    stampMatchesSchema(
      path.join(REPO_ROOT, 'prisma/schema.prisma'),
      path.join(REPO_ROOT, 'services/core/src/db/generated/schema.sha256'),
    ),
  ).toBe(true);
});

it('a stamp of another schema, or none, does not match', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-stamp-'));
  const schema = path.join(dir, 'schema.prisma');
  const stamp = path.join(dir, 'schema.sha256');
  fs.writeFileSync(schema, 'model A { id Int @id }\n');
  expect(stampMatchesSchema(schema, stamp)).toBe(false); // no stamp
  fs.writeFileSync(stamp, `${'0'.repeat(64)}\n`); // another schema's
  expect(stampMatchesSchema(schema, stamp)).toBe(false);
  fs.writeFileSync(stamp, `${createHash('sha256').update('model A { id Int @id }\n').digest('hex')}\n`);
  expect(stampMatchesSchema(schema, stamp)).toBe(true);
  fs.appendFileSync(schema, 'model B { id Int @id }\n'); // the schema changed after generate
  expect(stampMatchesSchema(schema, stamp)).toBe(false);
});
