// How commands report: a JSON document on stdout with --json, readable lines otherwise; errors as one line.
export interface OutputOptions {
  json?: boolean;
}

export function report(options: OutputOptions, result: Record<string, unknown>, lines: () => string[]): void {
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else for (const line of lines()) process.stdout.write(`${line}\n`);
}

/** Prints the error as one line (JSON with --json) and sets a failing exit code. */
export function fail(options: OutputOptions, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.GEXBERT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
