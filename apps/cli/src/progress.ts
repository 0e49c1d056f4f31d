// Progress for long commands: a bar with rate and ETA on a terminal, a line every few seconds otherwise.
// Progress always goes to stderr, so stdout stays clean for --json.
import cliProgress from 'cli-progress';

export interface Progress {
  /** `extra`: more to show after the rate, e.g. "loss 0.412". */
  update(done: number, total: number, extra?: string): void;
  stop(): void;
}

export function progress(label: string, unit: string): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s{extra} | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    let running = false;
    return {
      update(done, total, extra) {
        if (!running) {
          bar.start(total, 0, { rate: '0', extra: '' });
          running = true;
        }
        bar.setTotal(total);
        bar.update(done, { rate: formatRate(done, started), extra: extra ? ` | ${extra}` : '' });
      },
      stop: () => running && bar.stop(),
    };
  }
  const started = Date.now();
  let last = 0;
  return {
    update(done, total, extra) {
      const now = Date.now();
      if (now - last < 2000 && done < total) return;
      last = now;
      const fraction = total ? done / total : 1;
      const elapsed = (now - started) / 1000;
      const eta = fraction > 0 ? elapsed / fraction - elapsed : Number.NaN;
      process.stderr.write(
        `${label} ${(fraction * 100).toFixed(0)}% ${done}/${total} ${unit} ${formatRate(done, started)} ${unit}/s${extra ? ` ${extra}` : ''} ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'}\n`,
      );
    },
    stop() {},
  };
}

function formatRate(done: number, started: number): string {
  const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
  const rate = done / seconds;
  return rate >= 1e6
    ? `${(rate / 1e6).toFixed(1)}M`
    : rate >= 1e3
      ? `${(rate / 1e3).toFixed(1)}k`
      : rate.toFixed(0);
}
