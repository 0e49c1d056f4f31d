// Loading a page's data without throwing: an API failure becomes a message the page shows in place
// (Next.js hides thrown server errors' messages in production builds).
import { ApiError } from './api.ts';

export type Attempt<T> = { ok: true; data: T } | { ok: false; message: string; unreachable: boolean };

export async function attempt<T>(load: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, data: await load() };
  } catch (error) {
    if (error instanceof ApiError)
      return { ok: false, message: error.message, unreachable: error.unreachable };
    if (error instanceof Error && error.message.startsWith('invalid portal setting'))
      return { ok: false, message: error.message, unreachable: true };
    throw error;
  }
}
