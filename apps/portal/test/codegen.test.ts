// The committed typed operations must be what codegen makes of the API's SDL and the portal's operations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { codegenConfig, GENERATED_DIR } from '../src/codegenConfig.ts';

describe('generated typed operations', () => {
  it('are up to date with the API schema and src/operations (run `npm run codegen -w @gexbert/portal` when this fails)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-portal-codegen-'));
    try {
      await generate(codegenConfig(dir), true);
      const files = fs.readdirSync(dir).sort();
      expect(fs.readdirSync(GENERATED_DIR).sort()).toEqual(files);
      for (const file of files)
        expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).toBe(
          fs.readFileSync(path.join(GENERATED_DIR, file), 'utf8'),
        );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
