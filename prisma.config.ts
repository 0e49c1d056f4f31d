// Prisma CLI configuration. The CLI talks to PostgreSQL through the same driver adapter as the app
// (`engine: 'js'`), so no engine binary is downloaded: everything installs and migrates offline.
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

const NAME_OID = 19;
const TEXT_OID = 25;

/**
 * Work around prisma/orm#27403: the wasm schema engine cannot read columns of the catalog type `name`
 * that its own introspection queries return. We hand them over as `text`, which they are.
 */
async function patchedAdapter() {
  const factory = new PrismaPg({ connectionString: process.env.DATABASE_URL, idleTimeoutMillis: 1 });
  const adapter = await factory.connect();
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as {
    performIO: (q: unknown) => Promise<{ fields: { dataTypeID: number }[] }>;
    nameAsText?: boolean;
  };
  if (!queryable.nameAsText) {
    const performIO = queryable.performIO;
    queryable.performIO = async function (this: unknown, query: unknown) {
      const result = await performIO.call(this, query);
      for (const field of result.fields) if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
      return result;
    };
    queryable.nameAsText = true;
  }
  await adapter.dispose();
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: patchedAdapter,
});
