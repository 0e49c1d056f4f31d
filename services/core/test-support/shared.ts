// The read-only shared data folder beside the checkout (real TCGA data, R fixtures), for tests, benchmarks
// and scripts. Its one definition is the platform's configuration (GEXBERT_SHARED_DIR, else ../shared).
import path from 'node:path';
import { loadConfig } from '../src/config.ts';

/** The shared data folder: $GEXBERT_SHARED_DIR, else `shared` beside the repository. */
export function sharedDir(): string {
  // Only this variable: an unrelated invalid setting must not stop a test from finding its data.
  return loadConfig({ GEXBERT_SHARED_DIR: process.env.GEXBERT_SHARED_DIR }).sharedDir;
}

/** A path inside the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}
