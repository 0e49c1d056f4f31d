// The committed resolver types must be what codegen makes of the current schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { codegenConfig, GENERATED_FILE } from '../src/codegenConfig.ts';

describe('generated resolver types', () => {
  it('are up to date with src/schema (run `npm run codegen -w @gexbert/api` when this fails)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-codegen-'));
    try {
      const output = path.join(dir, 'graphql.ts');
      await generate(codegenConfig(output), true);
      expect(fs.readFileSync(output, 'utf8')).toBe(fs.readFileSync(GENERATED_FILE, 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
