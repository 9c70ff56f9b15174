import { shouldRenderGraphiQL, type Plugin } from 'graphql-yoga';
import { AuthenticationError } from './authentication-error.js';
import type { EntraVerifier } from './entra-verifier.js';
import type { Principal } from './principal.js';
import { readBearerToken } from './read-bearer-token.js';
import { errorBody, jsonResponse } from '../server/json-response.js';

/** Options of `useEntraAuth`. */
export interface EntraAuthOptions {
  readonly verifier: EntraVerifier;
  /** Paths that need a caller (default: the GraphQL endpoint). */
  readonly paths: readonly string[];
  /** Requests without a token may go on as anonymous callers. Default false. */
  readonly anonymous?: boolean;
  readonly maxTokenBytes?: number;
  /** GraphiQL pages are served without a token (they run no operation). */
  readonly graphiql?: boolean;
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
 * exactly one bearer token, verified as an Entra access token. Failures end the request with
 * 401 and a `WWW-Authenticate` challenge; an invalid token never falls back to anonymous.
 */
export function useEntraAuth(options: EntraAuthOptions): Plugin {
  const paths = new Set(options.paths);
  const realm = options.realm ?? 'meshgate';
  const maxTokenBytes = options.maxTokenBytes ?? 16_384;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!paths.has(url.pathname) || request.method === 'OPTIONS') return;
      if (options.graphiql && shouldRenderGraphiQL(request) && !url.search) return;
      try {
        const token = readBearerToken(request, url, maxTokenBytes);
        if (token === undefined) {
          if (!options.anonymous) throw new AuthenticationError(undefined, 'no token');
          principals.set(request, null);
          return;
        }
        principals.set(request, await options.verifier.verify(token));
      } catch (error) {
        const failure = error instanceof AuthenticationError ? error : new AuthenticationError('invalid_token', 'invalid token');
        const message = failure.bearerError ? `Unauthenticated: ${failure.message}.` : 'Unauthenticated: a bearer token is required.';
        endResponse(jsonResponse(fetchAPI, failure.status, errorBody(message, 'UNAUTHENTICATED'), { 'www-authenticate': failure.challenge(realm) }));
      }
    },
  };
}
