// The portal takes its maths from the library's one narrow entry point, @gexbert/model/maths, and that entry
// point reaches no I/O, tensors, model runtime or database: every file it imports, transitively, is a
// relative TypeScript import inside model/src, and the portal's source imports no other workspace package.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PORTAL_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const MODEL_SRC = path.resolve(PORTAL_SRC, '../../../model/src');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('the shared maths', () => {
  it('reaches only relative TypeScript files inside model/src, no package', () => {
    const seen = new Set<string>();
    const bare: string[] = [];
    const queue = [path.join(MODEL_SRC, 'maths.ts')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) bare.push(`${path.relative(MODEL_SRC, file)}: ${spec}`);
        else queue.push(path.resolve(path.dirname(file), spec));
      }
    }
    expect(bare).toEqual([]);
    expect([...seen].every((f) => f.startsWith(MODEL_SRC + path.sep) && f.endsWith('.ts'))).toBe(true);
    expect(seen.size).toBeGreaterThan(3); // maths.ts, stats/metrics.ts, stats/quantile.ts, survival/...
  });

  it('is the only workspace code the portal imports', () => {
    const workspace = sourceFiles(PORTAL_SRC).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('@gexbert/') || /(^|\/)(model|services)\//.test(spec))
        .map((spec) => `${path.relative(PORTAL_SRC, file)}: ${spec}`),
    );
    expect(workspace.length).toBeGreaterThan(0);
    expect(workspace.filter((line) => !line.endsWith(': @gexbert/model/maths'))).toEqual([]);
  });
});
