/**
 * Serving the heads: a profile measured on the whole vocabulary is answered by the whole-profile head set;
 * a panel (fewer genes) by a head set fitted on the reference seen through the same genes, because heads
 * fitted on whole profiles misread panel embeddings (measured: 64-gene panels 0.84-0.95 accuracy against
 * 0.95-0.97 for panel-matched heads; 16 genes 0.45-0.56 against 0.90-0.95; model/EXPERIMENTS.md). The
 * panels stored with the heads (ModelHeads.panels, e.g. the genes of a whole RSEM sample) are answered by
 * their stored sets; any other panel's set is fitted at its first request from the model's own reference
 * (the same computation) and kept (least recently used dropped), never from whatever a database holds.
 */
import { embed, type Predictor, type Profile } from '../gexbert/inference/infer.ts';
import { type NormStats, profileToZ } from '../gexbert/inference/normalise.ts';
import {
  type HeadSet,
  predictRisk,
  predictType,
  type RiskPrediction,
  type TypePrediction,
} from './headSet.ts';
import { restorationInterval } from './intervals.ts';
import type { ModelHeads } from './modelHeads.ts';
import { fitPanelHeadSet, panelKey } from './panels.ts';

/** Share of the vocabulary measured from which a profile counts as whole (the whole-profile heads answer). */
export const WHOLE_PROFILE_SHARE = 0.95;

export interface SamplePrediction {
  embedding: Float32Array;
  /** Measured vocabulary genes the embedding was computed from. */
  inputGenes: number;
  /** The head version (ModelHeads.id) and the gene set its heads were fitted from. */
  heads: { id: string; inputGenes: number; panelMatched: boolean };
  cancerType: TypePrediction | null;
  risk: RiskPrediction | null;
}

export class HeadServer {
  /** Head sets fitted at a request, by panel key (least recently used first). */
  private readonly panels = new Map<string, Promise<HeadSet>>();
  /** The head sets stored with the heads, by panel key. */
  private readonly stored: ReadonlyMap<string, HeadSet>;

  constructor(
    private readonly predictor: Predictor,
    private readonly stats: NormStats,
    readonly heads: ModelHeads,
    private readonly maxPanels = 16,
  ) {
    this.stored = new Map((heads.panels ?? []).map((p) => [panelKey(p.genes), p.set]));
  }

  /** The head set for a profile measuring these vocabulary positions (ascending). */
  headSetFor(measured: readonly number[]): Promise<HeadSet> {
    const V = this.stats.genes.length;
    if (measured.length >= WHOLE_PROFILE_SHARE * V) return Promise.resolve(this.heads.full);
    const key = panelKey(measured);
    const stored = this.stored.get(key);
    if (stored) return Promise.resolve(stored);
    let set = this.panels.get(key);
    if (set) {
      this.panels.delete(key); // most recently used goes last
    } else {
      set = fitPanelHeadSet(this.predictor, this.stats, this.heads.reference, measured);
      set.catch(() => this.panels.delete(key));
    }
    this.panels.set(key, set);
    while (this.panels.size > this.maxPanels) this.panels.delete(this.panels.keys().next().value!);
    return set;
  }

  /**
   * Answers of the heads for one sample: its embedding, and its z values over the vocabulary (V; NaN = not
   * measured), which give the measured genes.
   */
  async answer(embedding: Float32Array, z: Float32Array): Promise<SamplePrediction> {
    const measured: number[] = [];
    for (let v = 0; v < z.length; v++) if (Number.isFinite(z[v]!)) measured.push(v);
    const set = await this.headSetFor(measured);
    const usable = measured.length > 0;
    return {
      embedding,
      inputGenes: measured.length,
      heads: { id: this.heads.id, inputGenes: set.inputGenes, panelMatched: set !== this.heads.full },
      cancerType: usable ? predictType(set, this.heads.reference, embedding, z) : null,
      risk: usable ? predictRisk(set, embedding) : null,
    };
  }

  /** Embeds profiles (missing values left out) and answers for each. */
  async predict(profiles: Profile[]): Promise<SamplePrediction[]> {
    const { embeddings } = await embed(this.predictor, this.stats, profiles, { missing: 'omit' });
    const out: SamplePrediction[] = [];
    for (const [i, p] of profiles.entries()) out.push(await this.answer(embeddings[i]!, this.zOf(p)));
    return out;
  }

  /** A profile's z values over the vocabulary (V; NaN where not measured). */
  zOf(profile: Profile): Float32Array {
    return profileToZ(this.stats, profile.genes, profile.values, profile.unit).z;
  }

  /** The interval of a restored value (log2(CPM + 1)) of vocabulary gene `v` from `inputGenes` measured ones. */
  interval(
    v: number,
    value: number,
    inputGenes: number,
  ): { lower: number; upper: number; coverage: number } | null {
    const head = this.heads.intervals;
    if (!head || !Number.isFinite(value)) return null;
    return { ...restorationInterval(head, v, value, inputGenes), coverage: head.coverage };
  }
}
