/** A JSON-lines log: one JSON object per line, appended as training goes (and kept in memory). */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export class JsonlLog {
  private fd: number | undefined;
  readonly records: Record<string, unknown>[] = [];

  /**
   * With a path, lines are also written to that file (created or truncated). `earlier` records (e.g.
   * from a resumed run) come first, in memory and in the file.
   */
  constructor(
    readonly file?: string,
    earlier: Record<string, unknown>[] = [],
  ) {
    this.records.push(...earlier);
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      this.fd = openSync(file, 'w');
      if (earlier.length > 0) writeSync(this.fd, this.text());
    }
  }

  write(record: Record<string, unknown>): void {
    const line = { time: new Date().toISOString(), ...record };
    this.records.push(line);
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  /** All records as JSONL text. */
  text(): string {
    return this.records.map((r) => `${JSON.stringify(r)}\n`).join('');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
