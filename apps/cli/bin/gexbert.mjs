#!/usr/bin/env node
// The gexbert command: runs the TypeScript sources directly (no build step).
import { register } from 'tsx/esm/api';

// graphql-js reads NODE_ENV once, when it is loaded: outside production each of its type checks takes a slow
// path looking for a second copy of graphql (a tenth of the API's time on an 11,000-point answer). gexbert
// commands run as production unless told otherwise; tests (vitest) set NODE_ENV=test themselves.
process.env.NODE_ENV ??= 'production';

register();
await import('../src/main.ts');
