import type { IncomingMessage } from 'node:http';
import { shouldRenderGraphiQL, type Plugin } from 'graphql-yoga';
import { AuthenticationError } from './authentication-error.js';
import type { EntraVerifier } from './entra-verifier.js';
import type { Principal } from './principal.js';
import { authorizationHeaderCount, readBearerToken } from './read-bearer-token.js';
import { SigningKeysUnavailableError } from './signing-keys-unavailable-error.js';
import { errorBody, jsonResponse } from '../server/json-response.js';

/** Options of `useEntraAuth`. */
export interface EntraAuthOptions {
  readonly verifier: EntraVerifier;
  /** Paths that need a caller (default: the GraphQL endpoint). */
  readonly paths: readonly string[];
  /** Requests without a token may go on as anonymous callers. Default false. */
  readonly anonymous?: boolean;
  /** Longest token accepted (`limits.maxTokenBytes`). Default 16,384. */
  readonly maxTokenBytes?: number;
  /** GraphiQL pages are served without a token (they run no operation). */
  readonly graphiql?: boolean;
  /** `realm` of the `WWW-Authenticate` challenges. Default "meshgate". */
  readonly realm?: string;
}

/** Where each request's verified caller is kept between `onRequest` and the context. */
const principals = new WeakMap<Request, Principal | null>();

/**
 * The caller of a request that `useEntraAuth` let through: a principal, or null for an
 * anonymous caller. Throws if the request was never authenticated, so a wiring mistake fails
 * closed instead of running as anonymous.
 */
export function principalOf(request: Request): Principal | null {
  const principal = principals.get(request);
  if (principal === undefined) throw new AuthenticationError(undefined, 'request was not authenticated');
  return principal;
}

/**
 * Authenticates every request to the protected paths before the operation is even parsed:
 * exactly one bearer token, verified as an Entra access token. Answers, per DESIGN.md:
 *
 * - no token (and `anonymous` off): 401, `WWW-Authenticate: Bearer realm="meshgate"`;
 * - an invalid token: 401, `Bearer realm="meshgate", error="invalid_token", error_description="<short fixed reason>"`;
 *   an invalid token never falls back to anonymous;
 * - an empty `Bearer`, two tokens, another scheme, a token in the query string: 401 `error="invalid_request"`;
 * - a token over `maxTokenBytes`: 400 `error="invalid_request"`;
 * - no usable signing keys to decide with: 503 `SERVICE_UNAVAILABLE` with `Retry-After`.
 *
 * Every body is `{ errors: [{ message, extensions: { code } }] }`; none holds a claim or the token.
 *
 * @example
 * createYoga({ plugins: [useEntraAuth({ verifier, paths: ['/graphql'] })] });
 */
export function useEntraAuth(options: EntraAuthOptions): Plugin {
  const paths = new Set(options.paths);
  const realm = options.realm ?? 'meshgate';
  const maxTokenBytes = options.maxTokenBytes ?? 16_384;
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (!paths.has(url.pathname) || request.method === 'OPTIONS') return;
      if (options.graphiql && shouldRenderGraphiQL(request) && !url.search) return;
      try {
        const token = readBearerToken(request, url, maxTokenBytes, authorizationLines(serverContext));
        if (token === undefined) {
          if (!options.anonymous) throw new AuthenticationError(undefined, 'no token');
          principals.set(request, null);
          return;
        }
        principals.set(request, await options.verifier.verify(token));
      } catch (error) {
        if (error instanceof SigningKeysUnavailableError) {
          const message = 'Cannot verify access tokens right now: the signing keys are unavailable.';
          endResponse(jsonResponse(fetchAPI, 503, errorBody(message, error.code), { 'retry-after': String(error.retryAfterSeconds) }));
          return;
        }
        const failure = error instanceof AuthenticationError ? error : new AuthenticationError('invalid_token', 'invalid token');
        const message = failure.bearerError ? `Unauthenticated: ${failure.message}.` : 'Unauthenticated: a bearer token is required.';
        endResponse(jsonResponse(fetchAPI, failure.status, errorBody(message, 'UNAUTHENTICATED'), { 'www-authenticate': failure.challenge(realm) }));
      }
    },
  };
}

/**
 * How many `Authorization` lines the HTTP request had, when it came through Node's server
 * (yoga passes the `IncomingMessage` as `req`). Node keeps only the first of repeated
 * `Authorization` headers in `headers`, so two tokens would otherwise look like one.
 */
function authorizationLines(serverContext: unknown): number | undefined {
  const req = (serverContext as { req?: Partial<IncomingMessage> } | undefined)?.req;
  const raw = req?.rawHeaders;
  return Array.isArray(raw) ? authorizationHeaderCount(raw) : undefined;
}
