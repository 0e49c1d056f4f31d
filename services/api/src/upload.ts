// File uploads: a strict parser for the GraphQL multipart request spec
// (https://github.com/jaydenseric/graphql-multipart-request-spec): a multipart/form-data body (RFC 7578)
// whose fields are `operations` (the GraphQL request as JSON, files as nulls), `map` (JSON: file field
// name -> paths of those nulls in operations) and then the files. The whole body has already been read
// (within the API's request size limit), so every file is held in memory as an {@link Upload}.

/** A malformed multipart request; the server answers 400 with this message. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';
  constructor(problem: string) {
    super(
      `malformed GraphQL multipart request: ${problem} (send multipart/form-data with the fields ` +
        '"operations", "map", then the files, as in the GraphQL multipart request spec)',
    );
  }
}

/** One uploaded file, as the `Upload` scalar's value. */
export class Upload {
  constructor(
    /** The client's file name, reduced to its last path segment. */
    readonly fileName: string,
    readonly mimeType: string,
    readonly content: Buffer,
  ) {}
}

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  /** Present for file fields. */
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** True for a multipart/form-data content type. */
export function isMultipartFormData(contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(contentType ?? '');
}

/** The boundary parameter of a multipart content type (RFC 2046: 1 to 70 characters). */
function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('the Content-Type has no valid boundary parameter');
  return boundary;
}

/** Parses a part's headers: Content-Disposition (form-data, name, optional filename) and Content-Type. */
function partHeaders(text: string, index: number): Omit<FormPart, 'data'> {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`part ${index + 1} has a malformed header line`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition))
    throw new MultipartError(`part ${index + 1} has no Content-Disposition: form-data header`);
  const params = new Map<string, string>();
  // Quoted values end at the next quote: HTML forms percent-encode quotes and never backslash-escape.
  const param = /;\s*([A-Za-z*]+)=(?:"([^"\r\n]*)"|([^\s;"]+))/g;
  for (const match of disposition.matchAll(param)) params.set(match[1]!.toLowerCase(), match[2] ?? match[3]!);
  const name = params.get('name');
  if (!name) throw new MultipartError(`part ${index + 1} has no field name`);
  const fileName = params.get('filename');
  return {
    name,
    ...(fileName !== undefined ? { fileName } : {}),
    ...(contentType ? { contentType } : {}),
  };
}

/**
 * Splits a multipart/form-data body into its parts. Strict: the body must start with the first
 * delimiter, every part needs a form-data Content-Disposition with a name, and the closing delimiter
 * must be present (anything after it, the epilogue, is ignored).
 */
export function parseFormData(body: Buffer, contentType: string): FormPart[] {
  const boundary = boundaryOf(contentType);
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  if (!body.subarray(0, delimiter.length).equals(delimiter))
    throw new MultipartError('the body does not start with the boundary given in the Content-Type');
  const parts: FormPart[] = [];
  let at = delimiter.length;
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    if (!body.subarray(at, at + 2).equals(CRLF))
      throw new MultipartError(`a boundary is not followed by CRLF (after part ${parts.length})`);
    const headersStart = at + 2;
    const headersEnd = body.indexOf(HEADER_END, headersStart);
    if (headersEnd < 0) throw new MultipartError(`part ${parts.length + 1} has no end of headers`);
    const headers = partHeaders(body.subarray(headersStart, headersEnd).toString('utf8'), parts.length);
    const dataStart = headersEnd + HEADER_END.length;
    const dataEnd = body.indexOf(next, dataStart);
    if (dataEnd < 0) throw new MultipartError(`part ${parts.length + 1} is not closed by a boundary`);
    parts.push({ ...headers, data: body.subarray(dataStart, dataEnd) });
    at = dataEnd + next.length;
  }
}

/** The last segment of a client's file name (some browsers send a whole path); refuses unusable names. */
function uploadFileName(raw: string, field: string): string {
  const name = raw.split(/[/\\]/).pop() ?? '';
  if (name === '' || name === '.' || name === '..' || name.startsWith('.'))
    throw new MultipartError(`file field "${field}" has no usable file name (got ${JSON.stringify(raw)})`);
  if (/[\p{Cc}]/u.test(name) || Buffer.byteLength(name) > 255)
    throw new MultipartError(
      `file field "${field}" has a file name with control characters or over 255 bytes`,
    );
  return name;
}

function parseJsonField(part: FormPart | undefined, name: string, position: string): unknown {
  if (!part || part.name !== name) throw new MultipartError(`the ${position} field must be "${name}"`);
  if (part.fileName !== undefined) throw new MultipartError(`"${name}" must be a plain field, not a file`);
  try {
    return JSON.parse(part.data.toString('utf8'));
  } catch {
    throw new MultipartError(`"${name}" is not valid JSON`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Puts `upload` at `path` (dot-separated) of `operations`, where the client must have left a null. */
function placeUpload(operations: Record<string, unknown>, path: string, upload: Upload): void {
  const segments = path.split('.');
  if (segments[0] !== 'variables' || segments.length < 2)
    throw new MultipartError(`map path "${path}" must point into "variables"`);
  if (segments.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype'))
    throw new MultipartError(`map path "${path}" is not allowed`);
  let container: unknown = operations;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (Array.isArray(container)) {
      const index = /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= container.length)
        throw new MultipartError(`map path "${path}" does not exist in operations`);
      if (last && container[index] === null) container[index] = upload;
      else if (last) throw new MultipartError(`map path "${path}" must name a null in operations`);
      else container = container[index];
    } else if (isRecord(container) && Object.hasOwn(container, segment)) {
      if (last && container[segment] === null) container[segment] = upload;
      else if (last) throw new MultipartError(`map path "${path}" must name a null in operations`);
      else container = container[segment];
    } else {
      throw new MultipartError(`map path "${path}" does not exist in operations`);
    }
  }
}

/**
 * The GraphQL request of a multipart upload: `operations` with each file placed, as an {@link Upload},
 * at every path `map` gives for it. Throws {@link MultipartError} for anything out of spec: fields out of
 * order, invalid JSON, batched operations, a mapped file missing, a file not in the map, a path that is
 * not a null in the operations.
 */
export function graphqlMultipartRequest(body: Buffer, contentType: string): Record<string, unknown> {
  const [operationsPart, mapPart, ...fileParts] = parseFormData(body, contentType);
  const operations = parseJsonField(operationsPart, 'operations', 'first');
  if (Array.isArray(operations)) throw new MultipartError('batched operations are not supported');
  if (!isRecord(operations)) throw new MultipartError('"operations" must be a JSON object');
  const map = parseJsonField(mapPart, 'map', 'second');
  if (!isRecord(map)) throw new MultipartError('"map" must be a JSON object of file field name -> paths');
  const files = new Map<string, FormPart>();
  for (const part of fileParts) {
    if (part.fileName === undefined)
      throw new MultipartError(`field "${part.name}" after "map" must be a file`);
    if (!Object.hasOwn(map, part.name)) throw new MultipartError(`file field "${part.name}" is not in "map"`);
    if (files.has(part.name)) throw new MultipartError(`file field "${part.name}" is sent twice`);
    files.set(part.name, part);
  }
  for (const [field, paths] of Object.entries(map)) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string'))
      throw new MultipartError(`"map" entry "${field}" must be a non-empty array of paths`);
    const part = files.get(field);
    if (!part) throw new MultipartError(`"map" names file field "${field}" but no such file was sent`);
    const upload = new Upload(
      uploadFileName(part.fileName!, field),
      part.contentType ?? 'application/octet-stream',
      part.data,
    );
    for (const path of paths as string[]) placeUpload(operations, path, upload);
  }
  return operations;
}
