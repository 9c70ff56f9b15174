import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { decodeJwt, exportJWK, exportPKCS8, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import { parseConfig } from '../../src/config/load-config.js';
import type { MeshgateConfigInput } from '../../src/config/config-schema.js';
import { DEMO_APPS, DEMO_SCOPES, DEMO_USERS, type DevApp } from '../../src/idp/demo-directory.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { createMemoryAuditSink } from '../../src/observability/audit-sink.js';
import { createLogger } from '../../src/observability/logger.js';
import { createGateway, GRAPHQL_PATH, type Gateway } from '../../src/server/create-gateway.js';
import { listenGateway } from '../../src/server/listen-gateway.js';
import { createCustomersSubgraph } from '../../subgraphs/customers/server.js';
import { createKnowledgeSubgraph } from '../../subgraphs/knowledge/server.js';
import { createOrdersSubgraph } from '../../subgraphs/orders/server.js';
import { listenSubgraph } from '../../subgraphs/shared/listen.js';
import { useRequireAudience, type CallerContext } from '../../subgraphs/shared/require-audience.js';
import type { SubgraphAuthOptions } from '../../subgraphs/shared/types.js';

/**
 * The outside world of the token exchange tests, on loopback: the real dev identity provider
 * (with the gateway's certificate key registered, for private_key_jwt), the three real sample
 * subgraphs, three small "who am I" subgraphs that answer with the caller of the token they got,
 * and a token service that records every request and fails on purpose when told to.
 */

export const WHOAMI_APP = {
  clientId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  displayName: 'Who am I (test resource)',
  appIdUri: 'api://whoami',
  exposedScopes: ['Whoami.Read'],
} as const satisfies DevApp;

/** The gateway's certificate, as registered in the identity provider (kid, x5t and x5t#S256). */
export const GATEWAY_CERTIFICATE = { kid: 'gateway-cert-1', x5t: 'Z2F0ZXdheS1jZXJ0LXNoYTE', x5tS256: 'Z2F0ZXdheS1jZXJ0LXNoYTI1Ni10aHVtYnByaW50' } as const;

/** What one subgraph received in one HTTP request. */
export interface ReceivedRequest {
  /** The bearer token, or undefined when there was no Authorization header. */
  readonly token: string | undefined;
  /** Its claims, decoded (the subgraph itself verified it before answering). */
  readonly claims: JWTPayload | undefined;
  query: string;
}

export interface Recorder {
  readonly requests: ReceivedRequest[];
  readonly plugin: Plugin;
  /** Requests other than the gateway's `{ _sdl }` reads. */
  operations(): ReceivedRequest[];
  clear(): void;
}

/** A yoga plugin that records the token and operation of every request a subgraph receives. */
export function recordRequests(): Recorder {
  const requests: ReceivedRequest[] = [];
  const byRequest = new WeakMap<Request, ReceivedRequest>();
  return {
    requests,
    operations: () => requests.filter((r) => !/^\s*\{\s*_sdl\s*\}\s*$/.test(r.query)),
    clear: () => void requests.splice(0),
    plugin: {
      onRequest({ request }) {
        const token = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
        const entry: ReceivedRequest = { token, claims: token ? decodeJwt(token) : undefined, query: '' };
        requests.push(entry);
        byRequest.set(request, entry);
      },
      onParams({ params, request }) {
        const entry = byRequest.get(request);
        if (entry) entry.query = params.query ?? '';
      },
    },
  };
}

/** One request the test token service received. */
export interface StsRequest {
  readonly headers: IncomingHttpHeaders;
  readonly form: Record<string, string>;
}

/** What the test token service answers to one request. */
export type StsAnswer =
  /** Pass the request on to the dev identity provider, optionally changing its JSON answer. */
  | { readonly forward: true; readonly rewrite?: (body: Record<string, unknown>) => Record<string, unknown>; readonly delayMs?: number }
  | { readonly status: number; readonly body: unknown; readonly delayMs?: number };

export interface TestSts {
  readonly tokenEndpoint: string;
  readonly requests: StsRequest[];
  /** Decides each answer; default: forward everything. */
  answer: (request: StsRequest) => StsAnswer;
  /** Requests of one grant type. */
  grants(grantType: string): StsRequest[];
  close(): Promise<void>;
}

/**
 * A token service that fails on purpose. By default it forwards every request to the dev
 * identity provider; a `private_key_jwt` request is forwarded with the gateway's secret instead
 * of the assertion, because the assertion names this service as its audience (the tests check
 * the recorded assertion themselves), and an RFC 8693-style client-credentials request (by
 * `audience`) is turned into the provider's Entra-style `<audience>/.default`.
 */
export async function startTestSts(idp: DevIdentityProvider): Promise<TestSts> {
  const requests: StsRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const recorded: StsRequest = { headers: req.headers, form };
      requests.push(recorded);
      const answer = sts.answer(recorded);
      const send = (status: number, body: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const run = async () => {
        if ('forward' in answer) {
          const forwarded = new URLSearchParams(form);
          const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
          if (typeof req.headers.authorization === 'string') headers['authorization'] = req.headers.authorization;
          // The dev identity provider is Entra-shaped: its client credentials take
          // `<resource>/.default`, where an RFC 8693 STS takes the `audience` the gateway sends.
          if (form['grant_type'] === 'client_credentials' && form['audience']) {
            forwarded.set('scope', `${form['audience']}/.default`);
            forwarded.delete('audience');
            forwarded.delete('resource');
          }
          if (forwarded.has('client_assertion')) {
            forwarded.delete('client_assertion');
            forwarded.delete('client_assertion_type');
            forwarded.set('client_secret', DEMO_APPS.gateway.clientSecret);
          }
          const response = await fetch(idp.tokenEndpoint, { method: 'POST', headers, body: forwarded });
          const body = (await response.json()) as Record<string, unknown>;
          send(response.status, response.ok && answer.rewrite ? answer.rewrite(body) : body);
        } else {
          send(answer.status, answer.body);
        }
      };
      const delay = answer.delayMs ?? 0;
      setTimeout(() => void run().catch(() => send(502, { error: 'server_error' })), delay).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sts: TestSts = {
    tokenEndpoint: `http://127.0.0.1:${port}/oauth2/v2.0/token`,
    requests,
    answer: () => ({ forward: true }),
    grants: (grantType) => requests.filter((r) => r.form['grant_type'] === grantType),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return sts;
}

/** A tiny subgraph whose one root field answers with the caller of the token it received. */
function createWhoamiSubgraph(field: string, auth: SubgraphAuthOptions | false, recorder: Recorder) {
  const typeName = `${field[0]!.toUpperCase()}${field.slice(1)}Caller`;
  const typeDefs = /* GraphQL */ `
    type ${typeName} {
      "oid of the token's subject; null without a token"
      oid: String
      "aud of the token"
      audience: String
    }
    type Query {
      ${field}: ${typeName}!
      _sdl: String!
    }
  `;
  const plugins: Plugin[] = [];
  if (auth) plugins.push(useRequireAudience(auth) as Plugin);
  plugins.push(recorder.plugin);
  return createYoga({
    schema: createSchema<CallerContext>({
      typeDefs,
      resolvers: {
        Query: {
          _sdl: () => typeDefs,
          [field]: (_: unknown, __: unknown, context: CallerContext & YogaInitialContext) => {
            const token = /^Bearer (.+)$/i.exec(context.request.headers.get('authorization') ?? '')?.[1];
            const claims = token ? decodeJwt(token) : undefined;
            return { oid: context.caller?.oid ?? null, audience: typeof claims?.aud === 'string' ? claims.aud : null };
          },
        },
      },
    }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    plugins,
  });
}

type SubgraphName = 'customers' | 'orders' | 'knowledge' | 'whoami' | 'forwarded' | 'anonymous';

export interface Clock {
  offsetMs: number;
  readonly now: () => number;
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly graphqlUrl: string;
  readonly logs: string[];
  readonly audit: ReturnType<typeof createMemoryAuditSink>;
  close(): Promise<void>;
}

export interface Rig {
  readonly idp: DevIdentityProvider;
  readonly sts: TestSts;
  readonly subgraphs: Record<SubgraphName, { readonly url: string; readonly received: Recorder }>;
  /** The gateway's certificate key (PKCS#8 PEM) for private_key_jwt, and its public JWK. */
  readonly certificate: { readonly privateKey: string; readonly publicJwk: JWK };
  /** A token of a person for the gateway, with every demo scope (and Whoami.Read). */
  personToken(user?: 'ada' | 'alan', options?: { lifetimeSeconds?: number; claims?: Record<string, unknown> }): Promise<string>;
  /** Starts a gateway over this rig; `config` is the configuration in file format. */
  startGateway(config: MeshgateConfigInput, options?: { now?: () => number }): Promise<TestGateway>;
  clearReceived(): void;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const publicJwk: JWK = {
      ...(await exportJWK(pair.publicKey)),
      kid: GATEWAY_CERTIFICATE.kid,
      x5t: GATEWAY_CERTIFICATE.x5t,
      'x5t#S256': GATEWAY_CERTIFICATE.x5tS256,
    } as JWK;
    const certificate = { privateKey: await exportPKCS8(pair.privateKey), publicJwk };
    const apps: DevApp[] = Object.values(DEMO_APPS).map((app) =>
      app.clientId === DEMO_APPS.gateway.clientId ? { ...app, clientCertificateKeys: [publicJwk] } : app,
    );
    const idp = await startDevIdentityProvider({ apps: [...apps, WHOAMI_APP] });
    closers.push(() => idp.close());
    const sts = await startTestSts(idp);
    closers.push(() => sts.close());

    const subgraphs = {} as Rig['subgraphs'];
    const make = { customers: createCustomersSubgraph, orders: createOrdersSubgraph, knowledge: createKnowledgeSubgraph };
    for (const name of ['customers', 'orders', 'knowledge'] as const) {
      const received = recordRequests();
      const app = DEMO_APPS[name];
      const subgraph = make[name]({ auth: { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: [app.clientId, app.appIdUri] }, plugins: [received.plugin] });
      closers.push(() => subgraph.close());
      const listening = await listenSubgraph(subgraph);
      closers.push(() => listening.close());
      subgraphs[name] = { url: listening.url, received };
    }
    const own = [WHOAMI_APP.clientId, WHOAMI_APP.appIdUri];
    const whoamis: [SubgraphName, SubgraphAuthOptions | false][] = [
      ['whoami', { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: own }],
      // Accepts the caller's own token (token: forward) besides its own audience (to read _sdl).
      ['forwarded', { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: [...own, DEMO_APPS.gateway.clientId] }],
      // An open subgraph (token: none).
      ['anonymous', false],
    ];
    for (const [name, auth] of whoamis) {
      const received = recordRequests();
      const server = createServer(createWhoamiSubgraph(name, auth, received));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
      subgraphs[name] = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, received };
    }

    return {
      idp,
      sts,
      subgraphs,
      certificate,
      personToken: (user = 'ada', options = {}) =>
        idp.mint({
          kind: 'user',
          user: DEMO_USERS[user].preferredUsername,
          scopes: [...DEMO_SCOPES, 'Whoami.Read'],
          lifetimeSeconds: options.lifetimeSeconds ?? 8 * 3600,
          ...(options.claims ? { claims: options.claims } : {}),
        }),
      async startGateway(input, options = {}) {
        const logs: string[] = [];
        const audit = createMemoryAuditSink();
        const gateway = createGateway(parseConfig(input, {}), {
          logger: createLogger('debug', { write: (line: string) => void logs.push(line) }),
          auditSink: audit,
          ...(options.now ? { now: options.now } : {}),
        });
        const server = await listenGateway(gateway, { host: '127.0.0.1', port: 0, maxBodyBytes: 1_048_576 });
        const stop = async () => {
          await server.close(100);
          await gateway.close();
        };
        closers.push(stop);
        try {
          await gateway.start();
        } catch (error) {
          await stop();
          throw error;
        }
        return { gateway, url: server.url, graphqlUrl: `${server.url}${GRAPHQL_PATH}`, logs, audit, close: stop };
      },
      clearReceived() {
        for (const subgraph of Object.values(subgraphs)) subgraph.received.clear();
        sts.requests.splice(0);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The gateway configuration over the rig: the demo subgraphs (and whoami ones) with `exchange` as given. */
export function gatewayConfig(
  rig: Rig,
  exchange: NonNullable<MeshgateConfigInput['exchange']>,
  subgraphs: readonly SubgraphName[] = ['customers', 'orders', 'knowledge'],
  overrides: { [name in SubgraphName]?: Partial<NonNullable<MeshgateConfigInput['subgraphs']>[number]> } = {},
  rest: Partial<MeshgateConfigInput> = {},
): MeshgateConfigInput {
  const audiences: Record<SubgraphName, string | undefined> = {
    customers: DEMO_APPS.customers.appIdUri,
    orders: DEMO_APPS.orders.appIdUri,
    knowledge: DEMO_APPS.knowledge.appIdUri,
    whoami: WHOAMI_APP.appIdUri,
    forwarded: WHOAMI_APP.appIdUri,
    anonymous: undefined,
  };
  return {
    listen: { host: '127.0.0.1', port: 0 },
    auth: { issuers: [{ issuer: rig.idp.issuer }], audiences: [DEMO_APPS.gateway.appIdUri, DEMO_APPS.gateway.clientId] },
    exchange,
    subgraphs: subgraphs.map((name) => ({
      name,
      url: rig.subgraphs[name].url,
      ...(audiences[name] ? { audience: audiences[name] } : {}),
      ...overrides[name],
    })),
    audit: { sink: 'off' },
    ...rest,
  };
}

/** The gateway's client-secret settings against `tokenEndpoint`. */
export function secretExchange(tokenEndpoint: string, more: Partial<NonNullable<MeshgateConfigInput['exchange']>> = {}): NonNullable<MeshgateConfigInput['exchange']> {
  return { grant: 'entra-obo', tokenEndpoint, clientId: DEMO_APPS.gateway.clientId, clientSecret: DEMO_APPS.gateway.clientSecret, ...more };
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; locations?: unknown; extensions?: Record<string, unknown> }[];
  };
  /** The raw body text (to check that nothing secret is in it). */
  readonly text: string;
}

/** POSTs an operation over real HTTP. */
export async function graphql(url: string, query: string, options: { token?: string; variables?: Record<string, unknown> } = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResponse['body'], text };
}

/** How many token requests of `grantType` asked for each audience (OBO: `<audience>/.default`). */
export function countByAudience(requests: readonly StsRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { form } of requests) {
    const audience = form['audience'] ?? (form['scope'] ?? '').replace(/\/\.default$/, '');
    counts[audience] = (counts[audience] ?? 0) + 1;
  }
  return counts;
}

export const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
