// A real gateway in front of small subgraphs written for one test: the real dev identity
// provider, real HTTP on loopback, the real createGateway. The subgraphs take no token
// (`token: none`): these tests are about what the gateway lets through.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IResolvers } from '@graphql-tools/utils';
import { createSchema, createYoga } from 'graphql-yoga';
import type { MeshgateConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { createMemoryAuditSink } from '../../src/observability/audit-sink.js';
import { createLogger } from '../../src/observability/logger.js';
import { createGateway, GRAPHQL_PATH, type Gateway } from '../../src/server/create-gateway.js';
import { listenGateway, type ListeningGateway } from '../../src/server/listen-gateway.js';

export interface LocalSubgraph {
  readonly name: string;
  /** The schema the subgraph executes (`_sdl` is added). */
  readonly typeDefs: string;
  readonly resolvers: IResolvers;
  /** What `{ _sdl }` answers; default `typeDefs` (a test may serve an SDL it could not build itself). */
  readonly sdl?: string;
}

export interface MiniGateway {
  readonly idp: DevIdentityProvider;
  readonly gateway: Gateway;
  readonly server: ListeningGateway;
  readonly graphqlUrl: string;
  /** Operation texts each subgraph received (`{ _sdl }` left out). */
  readonly received: Record<string, string[]>;
  readonly audit: ReturnType<typeof createMemoryAuditSink>;
  /** A person's token for the gateway with these scopes. */
  token(scopes: readonly string[]): Promise<string>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds (not starts) a gateway over `subgraphs`; `configure` changes its configuration. */
export async function buildMiniGateway(
  subgraphs: readonly LocalSubgraph[],
  configure: (config: MeshgateConfigInput) => MeshgateConfigInput = (c) => c,
): Promise<MiniGateway> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  const idp = await startDevIdentityProvider({ port: 0 });
  closers.push(() => idp.close());
  const received: Record<string, string[]> = {};
  const urls: { name: string; url: string }[] = [];
  for (const subgraph of subgraphs) {
    const operations: string[] = (received[subgraph.name] = []);
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: [subgraph.typeDefs, 'extend type Query { _sdl: String! }'],
        resolvers: [subgraph.resolvers, { Query: { _sdl: () => subgraph.sdl ?? subgraph.typeDefs } }],
      }),
      graphiql: false,
      landingPage: false,
      plugins: [{ onParams: ({ params }) => void (params.query && !params.query.includes('_sdl') && operations.push(params.query)) }],
    });
    const server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => closeServer(server));
    urls.push({ name: subgraph.name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  }
  const audit = createMemoryAuditSink();
  const config = parseConfig(
    configure({
      listen: { host: '127.0.0.1', port: 0 },
      graphiql: false,
      auth: { issuers: [{ issuer: idp.issuer }], audiences: [DEMO_APPS.gateway.clientId] },
      subgraphs: urls.map(({ name, url }) => ({ name, url, token: 'none' })),
      audit: { sink: 'off' },
    }),
  );
  const gateway = createGateway(config, { logger: createLogger('silent'), auditSink: audit });
  const server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
  closers.push(() => server.close(1000));
  closers.push(() => gateway.close());
  return {
    idp,
    gateway,
    server,
    graphqlUrl: `${server.url}${GRAPHQL_PATH}`,
    received,
    audit,
    token: (scopes) => idp.mint({ kind: 'user', scopes }),
    start: () => gateway.start(),
    close,
  };
}

/** `buildMiniGateway`, started; closes everything if the start fails. */
export async function startMiniGateway(
  subgraphs: readonly LocalSubgraph[],
  configure?: (config: MeshgateConfigInput) => MeshgateConfigInput,
): Promise<MiniGateway> {
  const mini = await buildMiniGateway(subgraphs, configure);
  try {
    await mini.start();
  } catch (error) {
    await mini.close();
    throw error;
  }
  return mini;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
