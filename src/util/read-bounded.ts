/** The body was larger than the caller allowed; it was not read further. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** What `readBoundedText` reads: a Fetch `Response` or `Request`. */
export type BodySource = Pick<Response, 'headers' | 'body'>;

/**
 * Reads a body as text, refusing (and cancelling the stream) once it exceeds `maxBytes`.
 * Identity providers, STSs, subgraphs and callers are outside our control: a broken or
 * hostile one must not be able to make us buffer without bound.
 */
export async function readBoundedText(response: BodySource, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `readBoundedText` then `JSON.parse`; throws on a body that is not JSON. */
export async function readBoundedJson(response: BodySource, maxBytes: number): Promise<unknown> {
  return JSON.parse(await readBoundedText(response, maxBytes)) as unknown;
}
