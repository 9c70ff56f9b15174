import type { ServerResponse } from 'node:http';

/**
 * Writes a JSON answer. Every answer is `no-store`: token responses must not be cached
 * (RFC 6749 §5.1), and keys change on rotation, so nothing here is worth caching in dev.
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  response.end(payload);
}
