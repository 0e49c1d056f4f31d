import { describe, expect, it } from 'vitest';
import { type ConcordanceResult, concordance } from '../../src/survival/index.ts';
import { expectRelClose, loadFixture, stad, stadRows } from './fixtures.ts';

interface ConcordanceRef {
  concordance: number;
  counts: { concordant: number; discordant: number; 'tied.x': number; 'tied.y': number; 'tied.xy': number };
}
const ref = loadFixture<Record<string, ConcordanceRef>>('stad_concordance.json');

/** The definition, pair by pair (O(n^2)), written independently of the implementation. */
function bruteForce(time: number[], event: (0 | 1)[], x: number[]): Omit<ConcordanceResult, 'concordance'> {
  const out = { concordant: 0, discordant: 0, tiedX: 0, tiedY: 0, tiedXY: 0 };
  for (let i = 0; i < time.length; i++) {
    for (let j = i + 1; j < time.length; j++) {
      let early = i;
      let late = j;
      if (time[j]! < time[i]! || (time[j] === time[i] && event[j]! > event[i]!)) {
        early = j;
        late = i;
      }
      if (event[early] !== 1) continue; // the earlier one must be an event
      if (time[early] === time[late] && event[late] === 1) {
        if (x[early] === x[late]) out.tiedXY++;
        else out.tiedY++;
        continue;
      }
      if (x[early] === x[late]) out.tiedX++;
      else if (x[early]! < x[late]!)
        out.concordant++; // larger x, longer survival
      else out.discordant++;
    }
  }
  return out;
}

function randomData(n: number, seed: number) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const time = Array.from({ length: n }, () => Math.floor(rand() * 30)); // many tied times
  const event = time.map((): 0 | 1 => (rand() < 0.6 ? 1 : 0));
  const x = time.map(() => Math.floor(rand() * 8)); // many tied predictions
  return { time, event, x };
}

describe('concordance against R (stomach cohort, reverse = TRUE)', () => {
  it.each(['TMEscore_plus', 'GZMB', 'CD274'] as const)('%s', (name) => {
    const r = ref[name]!;
    const c = concordance(
      stad,
      stadRows.map((row) => row[name]),
      { reverse: true },
    );
    expect(c.concordant).toBe(r.counts.concordant);
    expect(c.discordant).toBe(r.counts.discordant);
    expect(c.tiedX).toBe(r.counts['tied.x']);
    expect(c.tiedY).toBe(r.counts['tied.y']);
    expect(c.tiedXY).toBe(r.counts['tied.xy']);
    expectRelClose(c.concordance, r.concordance, 1e-9, 'C');
  });
});

describe('concordance definition', () => {
  it('hand example: censored at an event time is comparable, two events at one time are tied.y', () => {
    // times 1, 2, 2, 2+, 3 ; events 1, 1, 1, 0, 0 ; x 5, 4, 4, 1, 0 (risk scores)
    const data = { time: [1, 2, 2, 2, 3], event: [1, 1, 1, 0, 0] as (0 | 1)[] };
    const c = concordance(data, [5, 4, 4, 1, 0], { reverse: true });
    // Death at 1 vs the four others: all lower x -> 4 concordant. Deaths at 2 (x = 4, 4) vs each other:
    // tied.xy; each vs 2+ and 3: concordant -> 4. Total 8 concordant.
    expect(c).toEqual({ concordant: 8, discordant: 0, tiedX: 0, tiedY: 0, tiedXY: 1, concordance: 1 });
    const flipped = concordance(data, [5, 4, 3, 1, 6], { reverse: true });
    // Now the deaths at 2 have x 4 and 3 (tied.y), and subject 5 (x = 6) outranks all three deaths.
    expect(flipped.tiedY).toBe(1);
    expect(flipped.tiedXY).toBe(0);
    expect(flipped.discordant).toBe(3);
    expect(flipped.concordant).toBe(5);
    expect(flipped.concordance).toBeCloseTo(5 / 8, 15);
  });

  it('matches the pairwise definition on data with many ties, and reverse swaps the counts', () => {
    for (const seed of [1, 2, 3]) {
      const { time, event, x } = randomData(400, seed);
      const fast = concordance({ time, event }, x);
      const slow = bruteForce(time, event, x);
      expect({ ...fast, concordance: 0 }).toEqual({ ...slow, concordance: 0 });
      expect(fast.concordance).toBeCloseTo(
        (slow.concordant + slow.tiedX / 2) / (slow.concordant + slow.discordant + slow.tiedX),
        14,
      );
      const reversed = concordance({ time, event }, x, { reverse: true });
      expect(reversed.concordant).toBe(fast.discordant);
      expect(reversed.discordant).toBe(fast.concordant);
      expect(reversed.concordance).toBeCloseTo(1 - fast.concordance, 14);
    }
  });

  it('strata: counts are the sums of the per-stratum counts', () => {
    const { time, event, x } = randomData(300, 7);
    const strata = time.map((_, i) => (i % 3 === 0 ? 'a' : 'b'));
    const whole = concordance({ time, event }, x, { strata });
    const parts = ['a', 'b'].map((s) => {
      const rows = time.map((_, i) => i).filter((i) => strata[i] === s);
      return bruteForce(
        rows.map((i) => time[i]!),
        rows.map((i) => event[i]!),
        rows.map((i) => x[i]!),
      );
    });
    expect(whole.concordant).toBe(parts[0]!.concordant + parts[1]!.concordant);
    expect(whole.discordant).toBe(parts[0]!.discordant + parts[1]!.discordant);
    expect(whole.tiedX).toBe(parts[0]!.tiedX + parts[1]!.tiedX);
    expect(whole.tiedY).toBe(parts[0]!.tiedY + parts[1]!.tiedY);
  });

  it('handles n = 11,000 quickly', () => {
    const { time, event, x } = randomData(11_000, 11);
    const continuous = x.map((v, i) => v + i / 11_000);
    const start = performance.now();
    const c = concordance({ time, event }, continuous, { reverse: true });
    expect(performance.now() - start).toBeLessThan(2000);
    const pairs = c.concordant + c.discordant + c.tiedX;
    // Every comparable pair is counted once: events before a later time, plus event/censored ties.
    let expected = 0;
    for (let i = 0; i < time.length; i++) {
      if (event[i] !== 1) continue;
      for (let j = 0; j < time.length; j++) {
        if (time[j]! > time[i]! || (time[j] === time[i] && event[j] === 0)) expected++;
      }
    }
    expect(pairs).toBe(expected);
  });
});
