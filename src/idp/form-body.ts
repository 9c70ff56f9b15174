import type { IncomingMessage } from 'node:http';
import { entraErrors } from './entra-errors.js';

/** Largest request body the provider reads: more is answered 413 without buffering it. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Form parameters, each present at most once. */
export type FormParameters = ReadonlyMap<string, string>;

/** The media type of a request, lower-cased and without parameters (`charset`, ...). */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads the whole body, refusing (413) as soon as it is known to be larger than `limitBytes`:
 * from `Content-Length` before reading anything, or while reading a chunked body.
 */
export async function readBoundedBody(request: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw entraErrors.bodyTooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw entraErrors.bodyTooLarge(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Parses `application/x-www-form-urlencoded`. A parameter sent twice is refused: RFC 6749 §3.2
 * forbids it, and taking either copy would let a proxy and the provider disagree.
 */
export function parseFormBody(body: Buffer): FormParameters {
  const parameters = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    if (parameters.has(name)) {
      throw entraErrors.malformedRequest(`The parameter '${name.slice(0, 64)}' was sent more than once.`);
    }
    parameters.set(name, value);
  }
  return parameters;
}

/** Parses a JSON body into a plain object, or throws a 400 naming the problem. */
export function parseJsonObjectBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw entraErrors.malformedRequest('The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw entraErrors.malformedRequest('The body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** A parameter the request must carry; empty counts as missing, as it does for Entra. */
export function requiredParameter(form: FormParameters, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === '') throw entraErrors.missingParameter(name);
  return value;
}

/** A parameter the request may carry; empty counts as absent. */
export function optionalParameter(form: FormParameters, name: string): string | undefined {
  const value = form.get(name);
  return value === undefined || value === '' ? undefined : value;
}
