import type { Plugin } from 'graphql-yoga';
import { AuthenticationError } from '../auth/authentication-error.js';
import type { EntraVerifier } from '../auth/entra-verifier.js';
import { readBearerToken } from '../auth/read-bearer-token.js';
import { MeshgateError } from '../errors.js';
import { BodyTooLargeError, readBoundedText } from '../util/read-bounded.js';
import type { Logger } from '../observability/logger.js';
import { jsonResponse } from '../server/json-response.js';
import { adminCallerOf, type AdminCaller } from './admin-access.js';
import { SUBGRAPH_NAME } from './registration.js';
import { RegistryError } from './registry-error.js';
import type { ChangeOptions, RegistryApi } from './registry-api.js';

/** Options of `useAdminApi`. */
export interface AdminApiOptions {
  /** Without a registry (no `registry:` in the config) every admin path answers 404. */
  readonly registry: RegistryApi | undefined;
  readonly verifier: EntraVerifier;
  /** App roles that may change any subgraph (`admin.roles`). */
  readonly roles: readonly string[];
  readonly maxTokenBytes: number;
  /** Largest registration body. Default 64 KiB: a registration is a few hundred bytes. */
  readonly maxBodyBytes?: number;
  readonly logger: Logger;
  /** The request id of a request (the gateway's `x-request-id` handling). */
  readonly requestId?: (request: Request) => string;
  readonly basePath?: string;
}

type FetchAPI = { Response: typeof Response };

/**
 * The admin HTTP API of the registry, beside `/graphql`:
 *
 * | method | path | |
 * |---|---|---|
 * | GET | /admin/subgraphs | every subgraph the caller may see |
 * | GET | /admin/subgraphs/{name} | one subgraph |
 * | PUT | /admin/subgraphs/{name} | register or update (`?force=true`, `If-None-Match: *`, `If-Match: *`) |
 * | DELETE | /admin/subgraphs/{name} | remove (breaking: needs `?force=true`) |
 * | POST | /admin/check | the verdict a PUT of the body would get; nothing changes |
 *
 * Every request needs an Entra access token for the gateway: none → 401; neither an admin app
 * role nor the ownership of a registered subgraph → 403. Answers are JSON; errors are
 * `{ error: { code, message, reasons, changes? } }` with a 4xx status for anything the caller
 * sent, never a 500, and never echo a token.
 */
export function useAdminApi(options: AdminApiOptions): Plugin {
  const base = options.basePath ?? '/admin';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return;
      endResponse(await handle(request, url, fetchAPI));
    },
  };

  async function handle(request: Request, url: URL, fetchAPI: FetchAPI): Promise<Response> {
    try {
      const registry = options.registry;
      if (!registry) throw new RegistryError('NOT_FOUND', 'the registry is not configured on this gateway (registry: in the config)');
      const caller = await authenticate(request, url);
      registry.assertMayUse(caller);
      const route = url.pathname.slice(base.length).replace(/\/+$/, '');
      const requestId = options.requestId?.(request);
      if (route === '/subgraphs') {
        allow(request, ['GET']);
        return jsonResponse(fetchAPI, 200, registry.list(caller));
      }
      if (route === '/check') {
        allow(request, ['POST']);
        const body = await readJson(request);
        return jsonResponse(fetchAPI, 200, await registry.put(undefined, body, caller, { ...changeOptions(url, request), dryRun: true, ...(requestId ? { requestId } : {}) }));
      }
      const match = /^\/subgraphs\/([^/]+)$/.exec(route);
      if (!match) throw new RegistryError('NOT_FOUND', `no admin resource at ${url.pathname}`);
      const name = decodeName(match[1] as string);
      const method = allow(request, ['GET', 'PUT', 'DELETE']);
      if (method === 'GET') return jsonResponse(fetchAPI, 200, { subgraph: registry.get(name, caller) });
      const change = { ...changeOptions(url, request), ...(requestId ? { requestId } : {}) };
      if (method === 'DELETE') return jsonResponse(fetchAPI, 200, await registry.remove(name, caller, change));
      const body = await readJson(request);
      return jsonResponse(fetchAPI, 200, await registry.put(name, body, caller, change));
    } catch (error) {
      return failure(error, fetchAPI);
    }
  }

  async function authenticate(request: Request, url: URL): Promise<AdminCaller> {
    const token = readBearerToken(request, url, options.maxTokenBytes);
    if (token === undefined) throw new AuthenticationError(undefined, 'no token');
    return adminCallerOf(await options.verifier.verify(token), options.roles);
  }

  async function readJson(request: Request): Promise<unknown> {
    const type = request.headers.get('content-type') ?? '';
    if (!/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new RegistryError('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (content-type: application/json)');
    }
    const text = await readBody(request, maxBodyBytes);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      // The parser's message quotes the input, which may hold anything (a token pasted by mistake).
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new RegistryError('BAD_REQUEST', `the body is not valid JSON${position ? ` (at offset ${position})` : ''}`);
    }
  }

  function failure(error: unknown, fetchAPI: FetchAPI): Response {
    if (error instanceof AuthenticationError) {
      const message = error.bearerError ? `Unauthenticated: ${error.message}.` : 'Unauthenticated: a bearer token is required.';
      return jsonResponse(fetchAPI, error.status, { error: { code: 'UNAUTHENTICATED', message, reasons: [message] } }, { 'www-authenticate': error.challenge('meshgate') });
    }
    if (error instanceof RegistryError) {
      const headers: Record<string, string> = error instanceof MethodNotAllowed ? { allow: error.allowed.join(', ') } : {};
      return jsonResponse(fetchAPI, error.status, { error: { code: error.adminCode, message: error.message, reasons: error.reasons, ...(error.changes ? { changes: error.changes } : {}) } }, headers);
    }
    if (error instanceof MeshgateError && error.code === 'SERVICE_UNAVAILABLE') {
      // The issuer's keys are unavailable: nothing is known about the token yet, retry later.
      return jsonResponse(fetchAPI, 503, { error: { code: 'SERVICE_UNAVAILABLE', message: 'signing keys unavailable; retry later', reasons: [] } }, { 'retry-after': '30' });
    }
    options.logger.error({ problem: (error as Error)?.message }, 'admin API: unexpected error');
    return jsonResponse(fetchAPI, 500, { error: { code: 'INTERNAL', message: 'internal error; nothing was changed', reasons: [] } });
  }
}

class MethodNotAllowed extends RegistryError {
  constructor(method: string, readonly allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(' or ')}`);
  }
}

/** Checks the method; 405 names the allowed ones. */
function allow(request: Request, methods: readonly string[]): string {
  if (methods.includes(request.method)) return request.method;
  throw new MethodNotAllowed(request.method, methods);
}

/** Reads the body as text, refusing it (413) once it passes `maxBytes`. */
async function readBody(request: Request, maxBytes: number): Promise<string> {
  // Refused from its declared length without touching the stream: cancelling a request body
  // would reset the connection before the 413 reaches the caller.
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new RegistryError('PAYLOAD_TOO_LARGE', `the body is larger than ${maxBytes} bytes`);
  try {
    return await readBoundedText(request, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new RegistryError('PAYLOAD_TOO_LARGE', `the body is larger than ${maxBytes} bytes`);
    throw new RegistryError('BAD_REQUEST', 'the body could not be read');
  }
}

function decodeName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  if (!SUBGRAPH_NAME.test(name)) throw new RegistryError('BAD_REQUEST', 'subgraph name in the URL must be lowercase letters, digits and "-", starting with a letter');
  return name;
}

function changeOptions(url: URL, request: Request): ChangeOptions {
  const force = url.searchParams.get('force');
  if (force !== null && !['true', 'false', '1', '0', ''].includes(force)) throw new RegistryError('BAD_REQUEST', 'force: must be true or false');
  const ifNoneMatch = request.headers.get('if-none-match');
  const ifMatch = request.headers.get('if-match');
  if ((ifNoneMatch !== null && ifNoneMatch.trim() !== '*') || (ifMatch !== null && ifMatch.trim() !== '*')) {
    throw new RegistryError('BAD_REQUEST', 'If-Match / If-None-Match: only "*" is supported');
  }
  return {
    force: force === 'true' || force === '1',
    ...(ifNoneMatch !== null ? { expect: 'absent' as const } : ifMatch !== null ? { expect: 'present' as const } : {}),
  };
}
