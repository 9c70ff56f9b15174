import { AuthenticationError } from './authentication-error.js';

// RFC 6750 §2.1 b64token, which every JWT matches.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads the caller's bearer token from a request, or `undefined` when there is none.
 * Throws `AuthenticationError` for every ambiguous shape: an empty `Bearer`, two tokens
 * (repeated headers are joined with ", " by the Fetch API), a token in the query string
 * (it would end up in access logs), or a token larger than `maxTokenBytes`.
 */
export function readBearerToken(request: Request, url: URL, maxTokenBytes: number): string | undefined {
  if (url.searchParams.has('access_token')) {
    throw new AuthenticationError('invalid_request', 'token in the query string is not accepted');
  }
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  if (header.length > maxTokenBytes + 16) {
    throw new AuthenticationError('invalid_request', 'token too large', 400);
  }
  const trimmed = header.trim();
  if (trimmed.includes(',')) throw new AuthenticationError('invalid_request', 'more than one authorization value');
  if (/^bearer\s*$/i.test(trimmed)) throw new AuthenticationError('invalid_request', 'empty bearer token');
  const match = BEARER.exec(trimmed);
  if (!match) throw new AuthenticationError('invalid_request', 'authorization must be a single Bearer token');
  return match[1] as string;
}
