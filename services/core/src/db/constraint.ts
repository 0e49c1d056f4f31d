// Whether a failed write broke a unique index, whether the error comes from Prisma (P2002) or pg (23505).

function codes(error: unknown): (string | undefined)[] {
  const e = error as { code?: string; cause?: { code?: string; originalCode?: string } } | null;
  return [e?.code, e?.cause?.code, e?.cause?.originalCode];
}

/** A unique index refused the write. */
export function isUniqueViolation(error: unknown): boolean {
  return codes(error).some((c) => c === 'P2002' || c === '23505');
}
