import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleDevTokenRequest } from './dev-token-endpoint.js';
import { devIdentityProviderUrls, openIdConfiguration, v1OpenIdConfiguration } from './discovery.js';
import { EntraError, entraErrorBody, entraErrors } from './entra-errors.js';
import type { GrantContext } from './grant-context.js';
import { sendJson } from './http-responses.js';
import { isGuid } from './identifiers.js';
import { resolveMintOptions } from './mint.js';
import type { MintOptions } from './mint.js';
import { normalizeDevIdentityProviderOptions } from './provider-options.js';
import type { DevIdentityProviderOptions } from './provider-options.js';
import { SigningKeySet } from './signing-keys.js';
import { TenantDirectory } from './tenant-directory.js';
import { handleTokenRequest } from './token-endpoint.js';
import { TokenIssuer } from './token-issuer.js';

/** Request counters, for tests that check caching (e.g. "a cache hit made no token request"). */
export interface DevIdentityProviderStats {
  discoveryRequests: number;
  jwksRequests: number;
  /** Token endpoint requests per `grant_type`; missing or unknown grant types count as `unsupported`. */
  tokenRequests: Record<string, number>;
}

/** A running dev identity provider. */
export interface DevIdentityProvider {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly tenantId: string;
  /** v2.0 issuer: `${url}/${tenantId}/v2.0`. */
  readonly issuer: string;
  /** v1.0 issuer: `${url}/${tenantId}/` (stands in for `https://sts.windows.net/{tid}/`). */
  readonly v1Issuer: string;
  /** `${issuer}/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** `${url}/${tenantId}/discovery/v2.0/keys`. */
  readonly jwksUri: string;
  /** `${url}/{tenantid}/v2.0`: the issuer template of multi-tenant verifiers. */
  readonly multiTenantIssuer: string;
  /**
   * `${url}/common/discovery/v2.0/keys`: the same keys, each with `issuer` set to the
   * `{tenantid}` template, as Entra's multi-tenant key document has them.
   */
  readonly commonJwksUri: string;
  /** `${url}/${tenantId}/oauth2/v2.0/token`. */
  readonly tokenEndpoint: string;
  /** The kid of the key that signs new tokens. */
  readonly currentKid: string;
  /** Live counters (read them; they keep counting). */
  readonly stats: DevIdentityProviderStats;
  /** Signs an access token directly, without a grant (tests, CLI). */
  mint(options?: MintOptions): Promise<string>;
  /**
   * Makes a new signing key current and returns its kid. With `keepPrevious` (default true)
   * the keys published so far stay in the JWKS; without, they are dropped.
   */
  rotateKeys(options?: { keepPrevious?: boolean }): Promise<string>;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

type Route = { readonly method: 'GET' | 'POST'; readonly answer: (request: IncomingMessage) => Promise<unknown> | unknown };

const MULTI_TENANT_ALIASES = new Set(['common', 'organizations']);

/**
 * Starts an Entra-shaped identity provider on loopback: discovery (v2 and v1), JWKS, and a
 * token endpoint with `client_credentials`, On-Behalf-Of and RFC 8693 token exchange.
 *
 * @example
 * const idp = await startDevIdentityProvider();
 * const token = await idp.mint({ user: 'ada@meshgate.dev' });
 * // verify with createRemoteJWKSet(new URL(idp.jwksUri)), issuer idp.issuer
 * await idp.close();
 */
export async function startDevIdentityProvider(options: DevIdentityProviderOptions = {}): Promise<DevIdentityProvider> {
  const settings = normalizeDevIdentityProviderOptions(options);
  const directory = new TenantDirectory(settings.apps, settings.users);
  const keys = await SigningKeySet.create();
  const server = createServer();
  await listen(server, settings.host, settings.port);
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const urls = devIdentityProviderUrls(`http://${host}:${port}`, settings.tenantId);
  const { now, tenantId } = settings;
  const tokens = new TokenIssuer({
    tenantId,
    issuer: urls.issuer,
    v1Issuer: urls.v1Issuer,
    keys,
    now,
    lifetimeSeconds: settings.tokenLifetimeSeconds,
  });
  const context: GrantContext = { tenantId, urls, directory, keys, tokens, now };
  const stats: DevIdentityProviderStats = { discoveryRequests: 0, jwksRequests: 0, tokenRequests: {} };
  const mint = (mintOptions: MintOptions) => tokens.issue(resolveMintOptions(mintOptions, directory, tenantId));

  // Paths below `/{tenant}/`.
  const discovery = (document: () => unknown) => () => {
    stats.discoveryRequests += 1;
    return document();
  };
  const jwks = (document: () => unknown) => () => {
    stats.jwksRequests += 1;
    return document();
  };
  const routes = new Map<string, Route>([
    ['v2.0/.well-known/openid-configuration', { method: 'GET', answer: discovery(() => openIdConfiguration(urls)) }],
    ['.well-known/openid-configuration', { method: 'GET', answer: discovery(() => v1OpenIdConfiguration(urls)) }],
    ['discovery/v2.0/keys', { method: 'GET', answer: jwks(() => keys.jwks(urls.issuer)) }],
    ['discovery/keys', { method: 'GET', answer: jwks(() => keys.jwks()) }],
    ['oauth2/v2.0/token', { method: 'POST', answer: (request) => handleTokenRequest(request, context, stats.tokenRequests) }],
    ['_dev/token', { method: 'POST', answer: (request) => handleDevTokenRequest(request, mint) }],
  ]);

  // Entra serves the keys of every tenant under the `common` and `organizations` aliases.
  const multiTenantKeys: Route = { method: 'GET', answer: jwks(() => keys.jwks(urls.multiTenantIssuer)) };

  async function answer(request: IncomingMessage): Promise<unknown> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [, tenant = '', ...rest] = path.split('/');
    if (MULTI_TENANT_ALIASES.has(tenant.toLowerCase()) && rest.join('/') === 'discovery/v2.0/keys') {
      if (request.method !== multiTenantKeys.method) throw entraErrors.methodNotAllowed(multiTenantKeys.method, request.method ?? '');
      return multiTenantKeys.answer(request);
    }
    const route = routes.get(rest.join('/'));
    if (route === undefined || tenant === '') throw entraErrors.notFound();
    if (tenant.toLowerCase() !== tenantId) throw entraErrors.tenantNotFound(tenant);
    if (request.method !== route.method) throw entraErrors.methodNotAllowed(route.method, request.method ?? '');
    return route.answer(request);
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      (body) => sendJson(response, 200, body),
      (error: unknown) => sendError(request, response, error, now),
    );
  });

  let closing: Promise<void> | undefined;
  return {
    ...urls,
    get currentKid() {
      return keys.currentKid;
    },
    stats,
    mint: async (mintOptions = {}) => (await mint(mintOptions)).accessToken,
    rotateKeys: (rotateOptions = {}) => keys.rotate(rotateOptions.keepPrevious ?? true),
    close: () => (closing ??= closeServer(server)),
  };
}

function sendError(request: IncomingMessage, response: ServerResponse, error: unknown, now: () => number): void {
  let entraError: EntraError;
  if (error instanceof EntraError) {
    entraError = error;
  } else {
    // Masked for the caller; the name and message of our own errors never hold a credential.
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    process.stderr.write(`dev identity provider: unexpected ${name}: ${message}\n`);
    entraError = entraErrors.serverError();
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const requestId = request.headers['client-request-id'];
  const correlationId = typeof requestId === 'string' && isGuid(requestId) ? requestId : undefined;
  // A refused body may still be arriving: close the connection rather than read it.
  const headers = entraError.status === 413 ? { ...entraError.headers, connection: 'close' } : entraError.headers;
  sendJson(response, entraError.status, entraErrorBody(entraError, now(), correlationId), headers);
  if (entraError.status === 413) request.resume();
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // Keep-alive connections (fetch keeps them) would hold close() open until they time out.
    server.closeAllConnections();
  });
}
