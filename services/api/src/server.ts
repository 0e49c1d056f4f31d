// The GraphQL API over HTTP: Apollo Server 5 behind Node's http server, which adds the request body limit,
// token authentication and the offline landing page.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { hasRole } from '@gexbert/core/auth/tokens';
import { databaseAnswers } from '@gexbert/core/db/health';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { isInputError } from '@gexbert/core/formats/inputError';
import type { JobQueue } from '@gexbert/core/jobs/queue';
// `graphql/index.js`, not `graphql`: the same CommonJS build Apollo Server loads (under Vitest a bare
// `graphql` resolves to the .mjs build, and two copies of graphql refuse each other's schema objects).
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import type pg from 'pg';
import { TokenVerifier } from './auth/tokenVerifier.ts';
import { type ApiConfig, type ApiConfigInput, loadApiConfig } from './config.ts';
import type { Context } from './context.ts';
import { unauthenticated } from './errors.ts';
import { explorerHtml, serveExplorerAsset } from './explorer.ts';
import { serveExport } from './exports/route.ts';
import { ModelHolder } from './inference/modelHolder.ts';
import { checkOperationInput } from './inputLimits.ts';
import { aliasLimit, checkCost, depthLimit, operationCost } from './limits.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import type { SampleRow } from './rows.ts';
import { typeDefs } from './schema.ts';
import { graphqlMultipartRequest, isMultipartFormData, MultipartError } from './upload.ts';

export interface StartApiOptions extends ApiConfigInput {
  pool: pg.Pool;
  prisma: PrismaClient;
  /** The job queue for retraining (triggerRetraining, jobs); without it those fields report it is missing. */
  queue?: JobQueue | null;
  /** Settings not given here come from GEXBERT_API_* variables (see config.ts), then defaults. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** The model holder to serve with (e.g. shared with the caller); by default the API makes (and closes) one. */
  models?: ModelHolder;
}

export interface RunningApi {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  config: ApiConfig;
  /** The model holder serving inference (its counters show the work done). */
  models: ModelHolder;
  stop(): Promise<void>;
}

export const GRAPHQL_PATH = '/graphql';
/** For load balancers and container health checks: 200 when the process answers and reaches its database. */
export const HEALTH_PATH = '/health';

async function answerHealth(pool: pg.Pool, res: http.ServerResponse): Promise<void> {
  const database = await databaseAnswers(pool);
  res.statusCode = database ? 200 : 503;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ status: database ? 'ok' : 'unavailable', database }));
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, message: string, code: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Before any resolver runs: refuses strings with NUL, lone surrogates or over their length limit
 * (inputLimits.ts), then operations whose estimated cost exceeds the limit (both need the variables, so
 * they are not validation rules).
 */
function costPlugin(config: ApiConfig): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          checkOperationInput(document, operation, request.variables ?? {});
          const cost = operationCost(schema, document, operation, request.variables ?? {}, config);
          checkCost(cost, config.maxCost);
        },
      };
    },
  };
}

/** The API explorer (GraphiQL served from this server, explorer.ts) as Apollo's landing page. */
function explorerLandingPage(): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: explorerHtml(GRAPHQL_PATH) };
        },
      };
    },
  };
}

/** Starts the API; resolves once it is listening. */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { pool, prisma, queue = null, env, log = () => {}, models: givenModels, ...overrides } = options;
  const config = loadApiConfig(overrides, env);
  const models =
    givenModels ??
    new ModelHolder(pool, prisma, {
      inferenceBatchSize: config.inferenceBatchSize,
      inferenceWaitMs: config.inferenceWaitMs,
      modelCheckMs: config.modelCheckMs,
      maxLoadedModels: config.maxLoadedModels,
      memoryCacheSize: config.embeddingMemoryCache,
      checkpointCacheDir: config.checkpointCacheDir,
      log,
    });
  const cacheKey = randomUUID();
  const landingPage = config.landingPage ?? !config.production;

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isInputError(original))
      return { message: original.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    // In production anything not raised on purpose (a GraphQLError with its own code) is masked: no
    // driver or Prisma messages, codes or source paths reach the client.
    const deliberate =
      original instanceof GraphQLError && formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR';
    if (config.production && !deliberate) {
      log(
        `API internal error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`,
      );
      return {
        message: 'Internal server error',
        path: formatted.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    if (config.production && formatted.extensions && 'stacktrace' in formatted.extensions) {
      const { stacktrace: _, ...extensions } = formatted.extensions;
      return { ...formatted, extensions };
    }
    return formatted;
  };

  const httpServer = http.createServer();
  const server = new ApolloServer<Context>({
    typeDefs: typeDefs(),
    resolvers,
    introspection: config.introspection ?? !config.production,
    includeStacktraceInErrorResponses: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    validationRules: [depthLimit(config.maxDepth), aliasLimit(config.maxAliases)],
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The schema gives no cache hints; the default cache-control plugin would still run a hook for every
      // field of every answer (about a tenth of the time of an 11,000-point map).
      ApolloServerPluginCacheControlDisabled(),
      costPlugin(config),
      landingPage ? explorerLandingPage() : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await server.start();

  const tokens = new TokenVerifier(prisma, config.tokenCacheMs);
  const sampleRows = new Map<number, SampleRow>();
  /** The caller's role and token from the Authorization header (UNAUTHENTICATED when it has none that works). */
  const authenticate = async (
    req: http.IncomingMessage,
  ): Promise<{ role: Context['role']; token: Context['token'] }> => {
    const header = req.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const token = match ? await tokens.verify(match[1]!) : null;
      if (!token) throw unauthenticated('the API token is invalid or revoked');
      return { role: token.role, token };
    }
    if (config.anonymousRole === 'READER') return { role: 'READER', token: null };
    throw unauthenticated('an API token is required: send Authorization: Bearer <token>');
  };
  /**
   * File uploads are only for curators (the ingest mutations): anyone else is refused before the body, up to
   * GEXBERT_API_MAX_UPLOAD_BYTES, is read. Returns the refusal, or null to go on.
   */
  const refuseUpload = async (req: http.IncomingMessage): Promise<[number, string, string] | null> => {
    try {
      const { role } = await authenticate(req);
      if (hasRole(role, 'CURATOR')) return null;
      return [403, `uploads need the curator role; your token has ${role.toLowerCase()}`, 'FORBIDDEN'];
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED')
        return [401, error.message, 'UNAUTHENTICATED'];
      throw error;
    }
  };
  const contextFor = async (req: http.IncomingMessage): Promise<Context> => {
    const { role, token } = await authenticate(req);
    return {
      db: pool,
      prisma,
      config,
      role,
      token,
      loaders: createLoaders(pool, prisma, sampleRows),
      cacheKey,
      queue,
      models,
      tokens,
    };
  };

  httpServer.on('request', async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === HEALTH_PATH) {
        await answerHealth(pool, res);
        return;
      }
      if (landingPage && serveExplorerAsset(url.pathname, res)) return;
      if (await serveExport({ db: pool, prisma, cacheKey, authenticate }, url, req, res)) return;
      if (url.pathname !== GRAPHQL_PATH && url.pathname !== '/') {
        sendJson(res, 404, `not found; the API is at ${GRAPHQL_PATH}`, 'NOT_FOUND');
        return;
      }
      const method = (req.method ?? 'GET').toUpperCase();
      let body: unknown;
      if (method === 'POST') {
        const type = req.headers['content-type'] ?? '';
        const multipart = isMultipartFormData(type);
        const refusal = multipart ? await refuseUpload(req) : null;
        if (refusal) {
          sendJson(res, ...refusal);
          return;
        }
        const raw = await readBody(req, multipart ? config.maxUploadBytes : config.maxBodyBytes);
        const text = multipart ? '' : raw.toString('utf8');
        if (multipart) {
          // File uploads (GraphQL multipart request spec); Apollo's CSRF check still applies to them.
          body = graphqlMultipartRequest(raw, type);
        } else if (/^application\/(graphql-response\+)?json/i.test(type)) {
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            sendJson(res, 400, 'the request body is not valid JSON', 'BAD_REQUEST');
            return;
          }
        } else {
          body = text;
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers))
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: url.search, body },
        context: () => contextFor(req),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      if (error instanceof MultipartError) {
        sendJson(res, 400, error.message, 'BAD_REQUEST');
        return;
      }
      if (error instanceof BodyTooLarge) {
        sendJson(
          res,
          413,
          isMultipartFormData(req.headers['content-type'] ?? '')
            ? `the upload is larger than ${config.maxUploadBytes} bytes (the server's GEXBERT_API_MAX_UPLOAD_BYTES)`
            : `the request body is larger than ${config.maxBodyBytes} bytes (the server's GEXBERT_API_MAX_BODY_BYTES)`,
          'PAYLOAD_TOO_LARGE',
        );
        return;
      }
      log(`API request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}${GRAPHQL_PATH}`;
  log(`GraphQL API listening on ${url}`);
  let stopped: Promise<void> | undefined;
  return {
    url,
    config,
    models,
    stop: () => {
      stopped ??= server.stop().then(() => (givenModels ? undefined : models.close()));
      return stopped;
    },
  };
}
