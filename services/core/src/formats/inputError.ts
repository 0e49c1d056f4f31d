// The one error type for bad input files. Every problem a parser finds in a user's file becomes an
// InputError naming the file, where in it (1-based line and cell column when known), what is wrong and
// what to do about it. The message is always a single line:
//   <file>:<line>[:<column>]: <problem> — <fix>
// (or `<file>: <problem> — <fix>` when no line applies).

export interface InputErrorDetails {
  file: string;
  line?: number;
  column?: number;
  problem: string;
  fix: string;
}

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export class InputError extends Error {
  override readonly name = 'InputError';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly problem: string;
  readonly fix: string;

  constructor(details: InputErrorDetails) {
    const problem = oneLine(details.problem);
    const fix = oneLine(details.fix);
    super(`${formatLocation(details.file, details.line, details.column)}: ${problem} — ${fix}`);
    this.file = details.file;
    this.line = details.line;
    this.column = details.line === undefined ? undefined : details.column;
    this.problem = problem;
    this.fix = fix;
  }
}

/** `file`, `file:line` or `file:line:column`. */
export function formatLocation(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}
