import { randomUUID } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createEntraVerifier, type EntraVerifier } from '../auth/entra-verifier.js';
import { principalOf, useEntraAuth } from '../auth/use-entra-auth.js';
import { AuthorizationPlanner } from '../authz/authorization-planner.js';
import { useAuthorization, type AuthorizedGraph } from '../authz/use-authorization.js';
import type { MeshgateConfig } from '../config/config-schema.js';
import { subgraphTokenPolicy, type SubgraphTokenPolicy } from '../exchange/exchange-settings.js';
import { TokenExchanger } from '../exchange/token-exchanger.js';
import { createAuditSink, type AuditSink } from '../observability/audit-sink.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { useAudit } from '../observability/use-audit.js';
import { composeGraph, type ComposedGraph } from '../stitching/compose-graph.js';
import { loadSubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import { createSubgraphExecutor } from '../stitching/subgraph-executor.js';
import type { GatewayContext } from './gateway-context.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useReadiness } from './use-readiness.js';
import { useTokenChallenges } from './use-token-challenges.js';

/** What `createGateway` takes besides the configuration: the outside world, injectable. */
export interface GatewayOptions {
  /** Used for JWKS, STS and subgraph requests. Default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Clock in ms. Default Date.now. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly auditSink?: AuditSink;
}

/** A running graph: the composed schema and what enforcement derives from it. */
interface GraphState extends AuthorizedGraph {
  readonly graph: ComposedGraph;
}

/** The gateway: a Fetch-API handler plus its lifecycle. Listen with `listenGateway`. */
export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, never>, GatewayContext>;
  /** Handles one request (Fetch API). */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Loads the issuers' keys and composes the graph; rejects with the first error. */
  start(): Promise<void>;
  readonly isReady: boolean;
  readonly exchanger: TokenExchanger;
  readonly logger: Logger;
  /** The graph being served (undefined before `start` succeeds). */
  readonly graph: ComposedGraph | undefined;
  /** Stops background work (key refresh, SDL polling). The HTTP listener is closed by its owner. */
  close(): Promise<void>;
}

export const GRAPHQL_PATH = '/graphql';

/**
 * Builds the gateway from a parsed configuration (see `parseConfig` / `loadConfigFile`).
 *
 * @example
 * const gateway = createGateway(loadConfigFile('meshgate.yaml'));
 * const server = await listenGateway(gateway, { host: '127.0.0.1', port: 4000 });
 * await gateway.start();
 */
export function createGateway(config: MeshgateConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config.log.level);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const verifier: EntraVerifier = createEntraVerifier({
    issuers: config.auth.issuers,
    audiences: config.auth.audiences,
    tenants: config.auth.tenants,
    clockSkewMs: config.auth.clockSkew,
    maxTokenBytes: config.limits.maxTokenBytes,
    jwksCooldownMs: config.auth.keys.cooldown,
    jwksRefreshIntervalMs: config.auth.keys.refreshInterval,
    jwksMaxStaleMs: config.auth.keys.maxStale,
    fetch: fetchFn,
    now,
  });
  const exchanger = new TokenExchanger({
    fetch: fetchFn,
    now,
    timeoutMs: config.timeouts.exchange,
    onFailure: (event) => logger.warn(event, 'token exchange failed'),
  });
  const policies = config.subgraphs.map((s) => ({ url: s.url, policy: subgraphTokenPolicy(s, config.exchange) }));
  const graphs = new WeakMap<GraphQLSchema, GraphState>();
  let current: GraphState | undefined;

  async function compose(subgraphs: readonly { url: string; policy: SubgraphTokenPolicy }[]): Promise<ComposedGraph> {
    const sdls = await Promise.all(
      subgraphs.map(({ url, policy }) => loadSubgraphSdl(url, policy, exchanger, { fetch: fetchFn, timeoutMs: config.timeouts.sdl })),
    );
    return composeGraph(
      subgraphs.map(({ url, policy }, i) => ({
        name: policy.subgraph,
        sdl: sdls[i]!,
        executor: createSubgraphExecutor({ url, policy, exchanger, timeoutMs: config.timeouts.subgraph, fetch: fetchFn }),
      })),
    );
  }

  function serve(graph: ComposedGraph): void {
    const state: GraphState = { graph, shadowSchema: graph.shadowSchema, planner: new AuthorizationPlanner(graph.schema, graph.rules) };
    graphs.set(graph.schema, state);
    // One assignment: requests already running keep the schema they started with.
    current = state;
  }

  const graphiqlConfig = typeof config.graphiql === 'object' ? config.graphiql : {};
  const graphiql = config.graphiql === false ? false : {
    title: graphiqlConfig.title ?? 'meshgate',
    ...(graphiqlConfig.defaultHeaders ? { headers: JSON.stringify(graphiqlConfig.defaultHeaders, null, 2) } : {}),
    ...(graphiqlConfig.defaultQuery ? { defaultQuery: graphiqlConfig.defaultQuery } : {}),
  };

  const yoga = createYoga<Record<string, never>, GatewayContext>({
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql,
    // GraphiQL served from the package itself, not a CDN: it works offline and under strict CSPs.
    renderGraphiQL,
    batching: config.limits.batch ? { limit: 10 } : false,
    maskedErrors: true,
    logging: {
      debug: (...args: unknown[]) => logger.debug({ detail: args.map(String) }, 'yoga'),
      info: (...args: unknown[]) => logger.info({ detail: args.map(String) }, 'yoga'),
      warn: (...args: unknown[]) => logger.warn({ detail: args.map(String) }, 'yoga'),
      error: (...args: unknown[]) => logger.error({ detail: args.map((a) => (a instanceof Error ? a.message : String(a))) }, 'yoga'),
    },
    schema: () => {
      if (!current) throw new Error('graph not composed yet');
      return current.graph.schema;
    },
    context: ({ request }) => ({
      principal: principalOf(request),
      requestId: requestIdOf(request),
      subgraphCalls: [],
      denied: [],
    }),
    plugins: [
      useReadiness({
        graphqlPath: GRAPHQL_PATH,
        notReadyReason: () => (!current ? 'graph not composed yet' : !verifier.isReady ? 'issuer keys not loaded yet' : undefined),
      }),
      useEntraAuth({
        verifier,
        paths: [GRAPHQL_PATH],
        anonymous: config.auth.anonymous,
        maxTokenBytes: config.limits.maxTokenBytes,
        graphiql: graphiql !== false,
      }),
      useOperationLimits({ maxDepth: config.limits.maxDepth }),
      useAuthorization({ graphFor: (schema) => graphs.get(schema) }),
      useTokenChallenges(),
      useAudit({ sink: options.auditSink ?? createAuditSink(config.audit.sink), now }),
    ],
  });

  return {
    yoga,
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    exchanger,
    logger,
    get isReady() {
      return current !== undefined && verifier.isReady;
    },
    get graph() {
      return current?.graph;
    },
    async close() {
      verifier.close();
    },
    async start() {
      const [graph] = await Promise.all([compose(policies), verifier.ready()]);
      serve(graph);
      logger.info({ subgraphs: graph.subgraphs, rules: graph.rules.size }, 'graph composed');
    },
  };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
