// graphql-codegen configuration for the portal's typed operations (src/operations/*.graphql against the
// API's SDL), used by `npm run codegen -w @gexbert/portal` via ../codegen.ts and by the staleness test.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const SRC = path.dirname(fileURLToPath(import.meta.url));
export const API_SCHEMA_GLOB = path.join(SRC, '../../../services/api/src/schema/*.graphql');
export const OPERATIONS_GLOB = path.join(SRC, 'operations/*.graphql');
export const GENERATED_DIR = path.join(SRC, 'generated');

/** The configuration, writing the typed operations into `outputDir` (default: the committed folder). */
export function codegenConfig(outputDir = GENERATED_DIR): CodegenConfig {
  return {
    overwrite: true,
    silent: true,
    schema: API_SCHEMA_GLOB,
    documents: OPERATIONS_GLOB,
    generates: {
      [`${outputDir}/`]: {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          skipTypename: true,
          scalars: { ID: 'string' },
        },
      },
    },
  };
}
