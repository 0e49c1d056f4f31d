// The normal sampler, timed: the library's Box-Muller (random/rng.ts, pairs cached) against the simulator's
// ziggurat (simulate/random.ts), 10^7 standard normals each from xoshiro128**, best of 3 runs. Prints figures.
// Run: nice -n 19 npx tsx model/bench/normal.bench.ts [--draws 10000000]
import { Rng } from '../src/random/rng.ts';
import { createRng } from '../src/simulate/random.ts';

const i = process.argv.indexOf('--draws');
const draws = i >= 0 ? Number(process.argv[i + 1]) : 10_000_000;

function time(name: string, normal: () => number): void {
  let best = Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < draws; k++) sum += normal();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `${name.padEnd(20)} ${best.toFixed(0).padStart(6)} ms for ${draws} draws, ${((best * 1e6) / draws).toFixed(1)} ns each (checksum ${sum.toFixed(1)})`,
  );
}

const boxMuller = new Rng(1, 'bench');
const ziggurat = createRng(1);
// Box-Muller written inline (no pair array, no closure per draw): what the best Box-Muller here could do
const inline = new Rng(1, 'bench');
let spare = 0;
let hasSpare = false;
const inlineBoxMuller = () => {
  if (hasSpare) {
    hasSpare = false;
    return spare;
  }
  let u = inline.next();
  while (u <= Number.EPSILON) u = inline.next();
  const r = Math.sqrt(-2 * Math.log(u));
  const t = 2 * Math.PI * inline.next();
  spare = r * Math.sin(t);
  hasSpare = true;
  return r * Math.cos(t);
};
time('box-muller', () => boxMuller.normal());
time('box-muller, inline', inlineBoxMuller);
time('ziggurat', () => ziggurat.normal());
