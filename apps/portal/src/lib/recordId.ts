// Ids in the portal's URLs (/cohorts/<id>, /samples/<id>) are positive integers, as the database keys its
// rows. Anything else names a page that does not exist: HTTP 404, without asking the API.
import { notFound } from 'next/navigation';

export function isRecordId(id: string): boolean {
  return /^[1-9]\d{0,14}$/.test(id);
}

/** `id` when it can name a row; otherwise the request ends with the not-found page (404). */
export function recordIdOr404(id: string): string {
  if (!isRecordId(id)) notFound();
  return id;
}
