import { AuthenticationError } from './authentication-error.js';

// RFC 6750 §2.1: the scheme is case-insensitive, then one b64token (which every JWT matches).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
// RFC 6750 §2.3 names the query parameter `access_token`.
const QUERY_TOKEN = 'access_token';

/**
 * Reads the caller's bearer token from a request, or `undefined` when there is none.
 * Throws `AuthenticationError` for every ambiguous shape rather than guessing: an empty
 * `Bearer`, two tokens (repeated headers are joined with ", " by the Fetch API), another
 * scheme, a token in the query string (it would end up in access logs and browser history;
 * refused even next to a good header, so that the client gets fixed), or a header larger than
 * `maxTokenBytes` allows (400, before anything else is looked at).
 *
 * `authorizationHeaders` is how many `Authorization` lines the request really had, when the
 * server knows (Node's HTTP parser keeps only the first of repeated ones).
 *
 * @example
 * const token = readBearerToken(request, new URL(request.url), 16_384);
 */
export function readBearerToken(request: Request, url: URL, maxTokenBytes: number, authorizationHeaders?: number): string | undefined {
  if (url.searchParams.has(QUERY_TOKEN)) {
    throw new AuthenticationError('invalid_request', 'token in the query string is not accepted');
  }
  return bearerTokenOf(request.headers.get('authorization'), maxTokenBytes, authorizationHeaders);
}

/**
 * `readBearerToken` for a request whose query string is already known to be free of
 * `access_token`: the same rules, from the `Authorization` value (null when absent).
 */
export function bearerTokenOf(header: string | null, maxTokenBytes: number, authorizationHeaders?: number): string | undefined {
  if (header === null) return undefined;
  // "Bearer " and a few spaces around it; the token itself is bounded by maxTokenBytes.
  if (header.length > maxTokenBytes + 16) {
    throw new AuthenticationError('invalid_request', 'token too large', 400);
  }
  const trimmed = header.trim();
  if (trimmed.includes(',') || (authorizationHeaders ?? 1) > 1) {
    throw new AuthenticationError('invalid_request', 'more than one authorization value');
  }
  if (/^bearer\s*$/i.test(trimmed)) throw new AuthenticationError('invalid_request', 'empty bearer token');
  const match = BEARER.exec(trimmed);
  if (!match) throw new AuthenticationError('invalid_request', 'authorization must be a single Bearer token');
  return match[1] as string;
}

/**
 * How many `Authorization` lines a request really had, from Node's raw header list (Node keeps
 * only the first of repeated ones in `headers`, so two tokens could otherwise look like one).
 */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'authorization') count += 1;
  return count;
}
