// The API's models at run time: which version is active (checked at most every `modelCheckMs`, and at once
// after a promotion or rollback in this process), the loaded runtimes (onnxruntime sessions through
// @gexbert/core/inference/modelRuntime; at most `maxLoadedModels`, least recently used unloaded first), and
// embeddings served through the SampleEmbedding cache with concurrent requests merged into one predictor
// call per batch.
import fs from 'node:fs';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { attributeProfile, type ProfileAttributions } from '@gexbert/core/inference/attribution';
import { type AttributionProgressReport, genesProgress } from '@gexbert/core/inference/attributionProgress';
import {
  type CacheLookup,
  lookupEmbeddings,
  type StoredEmbedding,
} from '@gexbert/core/inference/embeddingCache';
import {
  loadModelRuntime,
  type ModelRuntime,
  restoreSamples,
  sampleProfiles,
} from '@gexbert/core/inference/modelRuntime';
import {
  readStoredPredictions,
  readStoredWholeProfileRisks,
  storePredictions,
} from '@gexbert/core/inference/precompute';
import { computeSampleEmbeddings } from '@gexbert/core/inference/sampleEmbeddings';
import { newestImport } from '@gexbert/core/inference/storedAnswers';
import { type CheckpointRef, checkpointFolder } from '@gexbert/core/registry/checkpointStore';
import {
  activeModelStamp,
  type ModelVersion,
  modelVersionById,
  modelVersionStamp,
} from '@gexbert/core/registry/modelVersion';
import {
  HeadServer,
  type ModelHeads,
  parseModelHeads,
  riskScore,
  type SamplePrediction,
} from '@gexbert/model/heads';
import type { NormStats } from '@gexbert/model/inference';
import { embed, type Predictor, type Profile, type RestoreResult, restore } from '@gexbert/model/inference';
import { GraphQLError } from 'graphql/index.js';
import type pg from 'pg';
import { badInput, notFound } from '../errors.ts';
import { checkpointFolders } from '../modelFiles.ts';
import { MicroBatcher } from './batcher.ts';
import { restrictProfile } from './inputPanel.ts';

export interface ModelHolderOptions {
  /** Most samples per predictor call. */
  inferenceBatchSize: number;
  /** Milliseconds a batch waits for more samples before it starts (unless full). */
  inferenceWaitMs: number;
  /** Milliseconds between checks of the active model. */
  modelCheckMs: number;
  /** Runtimes kept loaded. */
  maxLoadedModels: number;
  /** Embeddings per loaded model also kept in memory (0 = read every one from SampleEmbedding). */
  memoryCacheSize: number;
  /** Where this process caches the checkpoints it reads from the database. */
  checkpointCacheDir: string;
  log?: (line: string) => void;
}

/** A sample's embedding by one model. */
export interface SampleEmbedding extends StoredEmbedding {
  sampleId: number;
  modelVersionId: number;
  /** True when read from the cache, false when computed for this request. */
  cached: boolean;
}

/** What the holder has done, for tests and monitoring. */
export interface InferenceCounters {
  /** Predictor calls made to embed samples (each a batch of one or more samples). */
  embedBatches: number;
  /** Samples embedded by the model (cache misses). */
  embeddedSamples: number;
  /** Embeddings served from the cache (SampleEmbedding, or the memory layer over it). */
  cacheHits: number;
  /** Restore calls (each a batch of samples). */
  restoreBatches: number;
  /** Model runtimes loaded. */
  runtimeLoads: number;
  /** Sample answers read from the precomputed SamplePrediction rows (the model did not run for them). */
  storedPredictions: number;
}

interface Served {
  versionId: number;
  /** The loaded runtime, loaded on first use (embeddings and answers read from the database need none). */
  readonly runtime: Promise<ModelRuntime>;
  /** Whether the runtime has been asked for. */
  readonly loading: boolean;
  /** Recently served embeddings (a memory layer over SampleEmbedding), least recently used first. */
  recent: Map<number, StoredEmbedding>;
  lookups: MicroBatcher<number, CacheLookup>;
  inference: MicroBatcher<number, StoredEmbedding | null>;
  /** The predictor's queue: forward passes run one at a time. */
  turn: Promise<unknown>;
  /** Turns queued or running on the predictor. */
  turns: number;
}

function modelUnavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'MODEL_UNAVAILABLE' } });
}

export class ModelHolder {
  readonly counters: InferenceCounters = {
    embedBatches: 0,
    embeddedSamples: 0,
    cacheHits: 0,
    restoreBatches: 0,
    runtimeLoads: 0,
    storedPredictions: 0,
  };
  private activeCache: { version: ModelVersion | null; at: number } | null = null;
  private activeCheck: Promise<ModelVersion | null> | null = null;
  /** Bumped by activeChanged(), so a check that started before the change is not cached. */
  private generation = 0;
  private checks: NodeJS.Timeout | null = null;
  /** The newest import seen by the last check (in-memory embeddings are emptied when it changes). */
  private newestImport: number | null = null;
  /**
   * Versions read (asked for by ID, or active): each with the row stamp it was read at (re-read only when
   * the stamp changes) and when that stamp was last checked.
   */
  private readonly versions = new Map<number, { version: ModelVersion; stamp: string; at: number }>();
  /** Loaded runtimes, least recently used first. */
  private readonly served = new Map<number, Served>();
  private readonly heads = new WeakMap<object, ModelHeads>();
  /** Per version: the head server over its loaded runtime (rebuilt when either changes). */
  private readonly headServers = new Map<number, { runtime: ModelRuntime; server: HeadServer }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly prisma: PrismaClient,
    private readonly options: ModelHolderOptions,
  ) {}

  /**
   * The active model version; MODEL_UNAVAILABLE when none is. A timer re-reads it every `modelCheckMs` in the
   * background, so requests never wait for the check (they do when it is overdue, e.g. the timer is stalled).
   */
  async active(): Promise<ModelVersion> {
    const cache = this.activeCache;
    const fresh = cache && Date.now() - cache.at < 2 * this.options.modelCheckMs;
    const version = fresh ? cache.version : await this.checkActive();
    this.startChecks();
    if (!version)
      throw modelUnavailable(
        'no model is active: promote a model version (promoteModel, admin) or start the platform, which activates the shipped model',
      );
    return version;
  }

  /** Forget the active model, so the next request reads it again (after a promotion or rollback). */
  activeChanged(): void {
    this.generation++;
    this.activeCheck = null;
    this.activeCache = null;
    this.versions.clear();
  }

  /** A version's heads changed (refitted): forget it and unload its runtime, which holds the old heads. */
  headsChanged(versionId: number): void {
    this.activeChanged();
    this.headServers.delete(versionId);
    const served = this.served.get(versionId);
    if (!served) return;
    this.served.delete(versionId);
    void this.unload(served);
  }

  /** The version `id` names (any non-FAILED version with a checkpoint), or the active one when `id` is null. */
  async version(id?: number | null): Promise<ModelVersion> {
    if (id == null) return this.active();
    const version = await this.versionById(id);
    if (version.status === 'FAILED')
      throw badInput(
        `model version ${id} (${version.name}) failed to train and cannot serve; choose another model`,
      );
    if (version.checkpointDigest === null && !fs.existsSync(version.checkpointPath))
      throw modelUnavailable(
        `model version ${id} (${version.name}) has no stored checkpoint (yet); choose another model`,
      );
    return version;
  }

  /**
   * The version with this ID: the row read before while its stamp is unchanged (checked at most every
   * `modelCheckMs`), else read again; NOT_FOUND when there is none.
   */
  private async versionById(id: number): Promise<ModelVersion> {
    const known = this.versions.get(id);
    if (known && Date.now() - known.at < this.options.modelCheckMs) return known.version;
    const stamp = await modelVersionStamp(this.pool, id);
    if (stamp === null) throw notFound(`model version ${id}`);
    const version = await this.versionAtStamp(id, stamp);
    if (!version) throw notFound(`model version ${id}`);
    return version;
  }

  /**
   * Version `id` whose row stamp was just read as `stamp`: the row read before when it has that stamp (the
   * same object, with its parsed heads), else the row read again (after its stamp: a change in between is
   * seen by the next check); null when it is gone.
   */
  private async versionAtStamp(id: number, stamp: string): Promise<ModelVersion | null> {
    const known = this.versions.get(id);
    if (known?.stamp === stamp) {
      known.at = Date.now();
      return known.version;
    }
    const version = await modelVersionById(this.prisma, id);
    if (version) this.versions.set(id, { version, stamp, at: Date.now() });
    return version;
  }

  /** Writes a line to the server log. */
  log(line: string): void {
    this.options.log?.(line);
  }

  /** Where this process caches checkpoints read from the database. */
  get checkpointCacheDir(): string {
    return this.options.checkpointCacheDir;
  }

  /**
   * Local folders holding a version's files: the cached copy of its stored checkpoint; while it is TRAINING
   * (or for a version from before checkpoints were stored), the folder the worker writes, where it exists.
   */
  async folders(version: CheckpointRef & { status: string }): Promise<string[]> {
    if (version.status === 'TRAINING' || version.checkpointDigest === null)
      return checkpointFolders(version.checkpointPath, version.status);
    return [await checkpointFolder(this.pool, version, this.options.checkpointCacheDir)];
  }

  /**
   * The version's heads (null when none were fitted). Heads stored in an older form (fitted on whatever the
   * database held) or invalid ones are refused with MODEL_UNAVAILABLE, never served.
   */
  headsOf(version: ModelVersion): ModelHeads | null {
    const json = version.heads;
    if (json === null || typeof json !== 'object') return null;
    let heads = this.heads.get(json);
    if (!heads) {
      try {
        heads = parseModelHeads(json);
      } catch (error) {
        throw modelUnavailable(
          `model version ${version.id} (${version.name}) has heads that cannot serve (${error instanceof Error ? error.message : error}); an admin can refit them (refitHeads)`,
        );
      }
      this.heads.set(json, heads);
    }
    return heads;
  }

  /**
   * The server answering with the version's heads (null when it has none). Keyed by the head version, so
   * heads refitted by another process are served once this one reads the version again.
   */
  async headServer(version: ModelVersion): Promise<HeadServer | null> {
    const heads = this.headsOf(version);
    if (!heads) return null;
    const runtime = await this.serve(version).runtime;
    const known = this.headServers.get(version.id);
    if (known?.runtime === runtime && known.server.heads.id === heads.id) return known.server;
    const server =
      runtime.headServer?.heads.id === heads.id
        ? runtime.headServer
        : new HeadServer(runtime.predictor, runtime.stats, heads);
    this.headServers.set(version.id, { runtime, server });
    return server;
  }

  /**
   * What the version's heads say of stored samples (null for a sample without raw counts or with none of
   * the model's genes): the answers precomputed by the workers (SamplePrediction) where stored, otherwise
   * computed from embeddings from the cache and the measured genes from the samples' profiles, and stored.
   */
  async predictSamples(
    version: ModelVersion,
    sampleIds: readonly number[],
  ): Promise<(SamplePrediction | null)[]> {
    const heads = this.headsOf(version);
    if (!heads) return sampleIds.map(() => null);
    // what the workers precomputed first; the model runs only for the rest
    const stored = await readStoredPredictions(this.pool, version.id, heads.id, sampleIds);
    this.counters.storedPredictions += stored.size;
    const rest = sampleIds.filter((id) => !stored.has(id));
    const computed = rest.length > 0 ? await this.computePredictions(version, rest) : [];
    // kept, so the next request (here or in another API process) reads them
    await storePredictions(
      this.pool,
      version.id,
      heads.id,
      null,
      rest.flatMap((sampleId, i) => {
        const prediction = computed[i];
        return prediction?.heads.id === heads.id
          ? [{ sampleId, inputGenes: prediction.inputGenes, prediction }]
          : [];
      }),
    );
    const byId = new Map(rest.map((id, i) => [id, computed[i] ?? null]));
    return sampleIds.map((id) => (stored.has(id) ? stored.get(id)! : byId.get(id)!));
  }

  /**
   * The whole-profile risk head's score of each stored sample, in order (null when the model cannot read
   * it): the workers' stored scores where there are any, the rest from the samples' embeddings.
   */
  async wholeProfileRisks(version: ModelVersion, sampleIds: readonly number[]): Promise<(number | null)[]> {
    const heads = this.headsOf(version);
    const head = heads?.full.risk;
    if (!heads || !head) return sampleIds.map(() => null);
    const stored = await readStoredWholeProfileRisks(this.pool, version.id, heads.id, sampleIds);
    const rest = sampleIds.filter((id) => !stored.has(id));
    const embeddings = rest.length > 0 ? await this.embed(version, rest) : [];
    const computed = new Map(
      rest.map((id, i) => [id, embeddings[i] ? riskScore(head, embeddings[i].vector) : null]),
    );
    return sampleIds.map((id) => stored.get(id) ?? computed.get(id) ?? null);
  }

  /** What the version's heads say of stored samples, computed now (embeddings from the cache where stored). */
  private async computePredictions(
    version: ModelVersion,
    sampleIds: readonly number[],
  ): Promise<(SamplePrediction | null)[]> {
    const server = await this.headServer(version);
    if (!server) return sampleIds.map(() => null);
    const embeddings = await this.embed(version, sampleIds);
    // the model input is cached with the embedding; rows cached before it was stored read the profile again
    const unknown = sampleIds.filter((_, i) => embeddings[i] && !embeddings[i]!.z);
    const profiles = unknown.length > 0 ? await this.profiles(version, unknown) : [];
    const read = new Map(unknown.map((id, i) => [id, profiles[i]]));
    return Promise.all(
      sampleIds.map((id, i) => {
        const e = embeddings[i];
        if (!e) return null;
        const profile = read.get(id);
        const z = e.z ?? (profile ? server.zOf(profile) : null);
        return z ? server.answer(e.vector, z) : null;
      }),
    );
  }

  /**
   * Occlusion attributions of one profile's measured genes (core inference/attribution.ts), each forward
   * pass in the predictor's turn, telling `progress` the genes done and, while a pass waits for its turn, how
   * many computations are ahead of it; null without heads or model input.
   */
  async attribute(
    version: ModelVersion,
    profile: Profile,
    progress?: AttributionProgressReport,
  ): Promise<ProfileAttributions | null> {
    const server = await this.headServer(version);
    if (!server) return null;
    const served = this.serve(version);
    const { predictor, stats } = await served.runtime;
    // Each forward pass takes its own turn: a whole profile's passes take a minute or more on a loaded
    // machine, and in one turn they held up every other request (the sample page's own refreshes, which show
    // the attributions' progress, came back only once they were done).
    const passByPass: Predictor = {
      name: predictor.name,
      width: predictor.width,
      run: (batch) => {
        if (served.turns > 0) progress?.waiting(served.turns);
        return this.predictorTurn(served, () => {
          progress?.waiting(0);
          return predictor.run(batch);
        });
      },
    };
    return attributeProfile(
      { predictor: passByPass, stats, server },
      profile,
      progress ? { onProgress: genesProgress(progress) } : {},
    );
  }

  /** Answers for profiles that are not stored (nothing is written). */
  async predictProfiles(version: ModelVersion, profiles: Profile[]): Promise<SamplePrediction[]> {
    const server = await this.headServer(version);
    const served = this.serve(version);
    const runtime = await served.runtime;
    if (server) return this.predictorTurn(served, () => server.predict(profiles));
    const out = await this.predictorTurn(served, () =>
      embed(runtime.predictor, runtime.stats, profiles, { missing: 'omit' }),
    );
    return out.embeddings.map((embedding, i) => ({
      embedding,
      inputGenes: out.reports[i]!.inputGenes,
      heads: { id: '', inputGenes: 0, panelMatched: false },
      cancerType: null,
      risk: null,
    }));
  }

  /**
   * Embeddings of the samples by the version: from the cache where stored, otherwise computed (merged with
   * other requests' samples into predictor calls) and stored. null for a sample without raw counts or with
   * none of the model's genes.
   */
  async embed(version: ModelVersion, sampleIds: readonly number[]): Promise<(SampleEmbedding | null)[]> {
    const served = this.serve(version);
    const stored = new Map<number, StoredEmbedding>();
    for (const id of sampleIds) {
      const recent = served.recent.get(id);
      if (recent) stored.set(id, recent);
    }
    const unknown = sampleIds.filter((id) => !stored.has(id));
    const lookups = unknown.length > 0 ? await served.lookups.loadMany(unknown) : [];
    const misses: number[] = [];
    for (const [i, id] of unknown.entries()) {
      const { cached, hasCounts } = lookups[i]!;
      if (cached) stored.set(id, cached);
      else if (hasCounts) misses.push(id);
    }
    const computed = new Map<number, StoredEmbedding | null>();
    if (misses.length > 0) {
      const values = await served.inference.loadMany(misses);
      for (const [i, id] of misses.entries()) computed.set(id, values[i]!);
    }
    return sampleIds.map((sampleId) => {
      const cached = stored.get(sampleId);
      if (cached) {
        this.counters.cacheHits++;
        this.remember(served, sampleId, cached);
        return { sampleId, modelVersionId: version.id, ...cached, cached: true };
      }
      const fresh = computed.get(sampleId);
      if (!fresh) return null;
      this.remember(served, sampleId, fresh);
      return { sampleId, modelVersionId: version.id, ...fresh, cached: false };
    });
  }

  /** Keeps a stored embedding in memory (least recently used dropped beyond the limit). */
  private remember(served: Served, sampleId: number, embedding: StoredEmbedding): void {
    const limit = this.options.memoryCacheSize;
    if (limit <= 0) return;
    served.recent.delete(sampleId);
    served.recent.set(sampleId, embedding);
    if (served.recent.size > limit) served.recent.delete(served.recent.keys().next().value!);
  }

  /**
   * Restored log2(CPM+1) of vocabulary genes (Ensembl IDs) for samples with raw counts, from all their
   * measured vocabulary genes or, given `inputGenes`, from those of them only (BAD_USER_INPUT when a sample
   * measures none of them).
   */
  async restore(
    version: ModelVersion,
    sampleIds: readonly number[],
    genes: string[],
    inputGenes?: readonly string[],
  ): Promise<RestoreResult> {
    if (!inputGenes) {
      const served = this.serve(version);
      const runtime = await served.runtime;
      return this.predictorTurn(served, () => {
        this.counters.restoreBatches++;
        return restoreSamples(runtime, this.pool, sampleIds, genes);
      });
    }
    const keep = new Set(inputGenes);
    const profiles = (await this.profiles(version, sampleIds)).map((p, i) => {
      const restricted = p ? restrictProfile(p, keep) : null;
      if (!restricted?.genes.length)
        throw badInput(
          `sample ${sampleIds[i]} measures none of the ${keep.size} input genes in the model's vocabulary; give measured vocabulary genes as inputGenes`,
        );
      return restricted;
    });
    return this.restoreProfiles(version, profiles, genes);
  }

  /** Restored log2(CPM+1) (or `unit`: z) of vocabulary genes (Ensembl IDs) from the given model inputs. */
  async restoreProfiles(
    version: ModelVersion,
    profiles: Profile[],
    genes: string[],
    unit: 'log2cpm' | 'z' = 'log2cpm',
  ): Promise<RestoreResult> {
    const served = this.serve(version);
    const runtime = await served.runtime;
    return this.predictorTurn(served, () => {
      this.counters.restoreBatches++;
      return restore(runtime.predictor, runtime.stats, profiles, genes, { unit });
    });
  }

  /** The samples' model input: log2(CPM+1) of their measured vocabulary genes (null without raw counts). */
  async profiles(version: ModelVersion, sampleIds: readonly number[]): Promise<(Profile | null)[]> {
    return sampleProfiles(this.pool, await this.stats(version), sampleIds);
  }

  /** The version's normalisation: its vocabulary (most variable gene first) with per-gene mean and sd. */
  async stats(version: ModelVersion): Promise<NormStats> {
    return (await this.serve(version).runtime).stats;
  }

  /** Stops the checks and unloads every runtime. */
  async close(): Promise<void> {
    if (this.checks) clearInterval(this.checks);
    this.checks = null;
    const all = [...this.served.values()];
    this.served.clear();
    await Promise.all(all.map((s) => this.unload(s)));
  }

  private startChecks(): void {
    if (this.checks || this.options.modelCheckMs <= 0) return;
    this.checks = setInterval(() => {
      this.checkActive().catch((error) =>
        this.options.log?.(
          `checking the active model failed: ${error instanceof Error ? error.message : error}`,
        ),
      );
    }, this.options.modelCheckMs);
    this.checks.unref();
  }

  private checkActive(): Promise<ModelVersion | null> {
    if (this.activeCheck) return this.activeCheck;
    const generation = this.generation;
    const check = Promise.all([this.readActive(), this.dropStaleMemory()])
      .then(([version]) => {
        // A read that started before a promotion or rollback here may be stale: answer it, do not keep it.
        if (generation !== this.generation) return version;
        const previous = this.activeCache?.version?.id;
        this.activeCache = { version, at: Date.now() };
        if (version && previous !== undefined && previous !== version.id) {
          this.options.log?.(`active model is now ${version.id} (${version.name})`);
          void this.serve(version).runtime.catch(() => {}); // start loading it now
        }
        return version;
      })
      .finally(() => {
        if (this.activeCheck === check) this.activeCheck = null;
      });
    this.activeCheck = check;
    return check;
  }

  /**
   * The newest import seen by the last background check (null before the first): answers kept in memory
   * across requests are valid while it is unchanged (at most `modelCheckMs` behind the database).
   */
  get dataVersion(): number | null {
    return this.newestImport;
  }

  /**
   * The active version: the row read before while the active row's stamp is unchanged, so the check every
   * second reads two columns, not megabytes of heads (and the version, with its parsed heads, stays the same
   * object).
   */
  private async readActive(): Promise<ModelVersion | null> {
    const stamp = await activeModelStamp(this.pool);
    return stamp ? this.versionAtStamp(stamp.id, stamp.stamp) : null;
  }

  /**
   * Empties the in-memory embeddings when an import arrived since the last check: an import may have
   * changed a sample's model input and forgotten its stored answers (core inference/storedAnswers.ts).
   */
  private async dropStaleMemory(): Promise<void> {
    const newest = await newestImport(this.prisma);
    if (this.newestImport !== null && newest !== this.newestImport)
      for (const served of this.served.values()) served.recent.clear();
    this.newestImport = newest;
  }

  /** The served model of a version, loading its runtime on first use. */
  private serve(version: ModelVersion): Served {
    let served = this.served.get(version.id);
    if (served) {
      this.served.delete(version.id); // most recently used goes last
      this.served.set(version.id, served);
      return served;
    }
    let runtime: Promise<ModelRuntime> | null = null;
    const start = () => {
      if (!runtime) {
        runtime = this.load(version);
        runtime.catch(() => {
          if (this.served.get(version.id) === created) this.served.delete(version.id);
        });
      }
      return runtime;
    };
    const created: Served = {
      versionId: version.id,
      get runtime() {
        return start();
      },
      get loading() {
        return runtime !== null;
      },
      recent: new Map(),
      lookups: new MicroBatcher((ids) => lookupEmbeddings(this.pool, version.id, ids), {
        maxBatch: 1000,
        concurrency: 4,
      }),
      inference: new MicroBatcher((ids) => this.inferBatch(created, version.id, ids), {
        maxBatch: this.options.inferenceBatchSize,
        concurrency: 1,
        waitMs: this.options.inferenceWaitMs,
      }),
      turn: Promise.resolve(),
      turns: 0,
    };
    served = created;
    this.served.set(version.id, served);
    while (this.served.size > this.options.maxLoadedModels) {
      const oldest = this.served.values().next().value!;
      this.served.delete(oldest.versionId);
      void this.unload(oldest);
    }
    return served;
  }

  private async load(version: ModelVersion): Promise<ModelRuntime> {
    try {
      const runtime = await loadModelRuntime(
        { pool: this.pool, cacheDir: this.options.checkpointCacheDir },
        version,
      );
      this.counters.runtimeLoads++;
      this.options.log?.(`loaded model ${version.id} (${version.name})`);
      return runtime;
    } catch (error) {
      throw modelUnavailable(
        `model version ${version.id} (${version.name}) could not be loaded: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /** Embeds a batch of samples and stores the embeddings (one forward pass per chunk, in the predictor's turn). */
  private async inferBatch(
    served: Served,
    versionId: number,
    sampleIds: number[],
  ): Promise<(StoredEmbedding | null)[]> {
    const runtime = await served.runtime;
    return computeSampleEmbeddings(runtime, this.pool, versionId, sampleIds, {
      turn: (samples, work) =>
        this.predictorTurn(served, () => {
          this.counters.embedBatches++;
          this.counters.embeddedSamples += samples;
          return work();
        }),
    });
  }

  /** Runs `work` once the predictor's previous work is done. */
  private predictorTurn<T>(served: Served, work: () => Promise<T>): Promise<T> {
    served.turns++;
    const result = served.turn.then(work, work).finally(() => {
      served.turns--;
    });
    served.turn = result.catch(() => {});
    return result;
  }

  private async unload(served: Served): Promise<void> {
    if (!served.loading) return;
    try {
      await served.inference.idle();
      await served.turn; // a restore may still be running on the predictor
      await (await served.runtime).close();
    } catch {
      // a runtime that failed to load has nothing to release
    }
  }
}
