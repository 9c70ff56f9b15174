import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createEntraVerifier, type EntraVerifier } from '../auth/entra-verifier.js';
import { principalOf, useEntraAuth } from '../auth/use-entra-auth.js';
import { authorizeGraph } from '../authz/authorized-graph.js';
import { useAuthorization, type AuthorizedGraph } from '../authz/use-authorization.js';
import { EXPLAIN_PATH, useExplain } from '../authz/use-explain.js';
import type { MeshgateConfig } from '../config/config-schema.js';
import { TokenExchanger } from '../exchange/token-exchanger.js';
import { createAuditSink, type AuditSink } from '../observability/audit-sink.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createGatewayMetrics } from '../observability/metrics.js';
import { useMetrics } from '../observability/use-metrics.js';
import { useAudit } from '../observability/use-audit.js';
import { composeGraph, type ComposedGraph } from '../stitching/compose-graph.js';
import { loadSubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import type { LoadedSubgraph } from '../registry/graph-manager.js';
import { createRegistryAuditSink, type RegistryAuditSink } from '../registry/registry-audit.js';
import { serveSubgraphs } from '../registry/serve-subgraphs.js';
import type { RegistryApi } from '../registry/registry-api.js';
import { useAdminApi } from '../registry/use-admin-api.js';
import { createSubgraphExecutor } from '../stitching/subgraph-executor.js';
import { createFetchTransport, createPooledTransport } from '../stitching/subgraph-transport.js';
import type { GatewayContext } from './gateway-context.js';
import { requestIdFrom } from './request-id.js';
import { createDirectLane, type NodeHandler } from './direct-lane.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useReadiness } from './use-readiness.js';
import { useTokenChallenges } from './use-token-challenges.js';

/** What `createGateway` takes besides the configuration: the outside world, injectable. */
export interface GatewayOptions {
  /** Used for JWKS, STS and SDL requests, and when given, for subgraph operations too. Default: global fetch, and keep-alive connection pools for subgraph operations. */
  readonly fetch?: typeof fetch;
  /** Clock in ms. Default Date.now. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly auditSink?: AuditSink;
  /** Where registry changes are audited. Default: `audit.sink`, like operations. */
  readonly registryAuditSink?: RegistryAuditSink;
}

/** A running graph: the composed schema and what enforcement derives from it. */
interface GraphState extends AuthorizedGraph {
  readonly graph: ComposedGraph;
}

/** The gateway: a Fetch-API handler plus its lifecycle. Listen with `listenGateway`. */
export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, never>, GatewayContext>;
  /** Handles one Node HTTP request: the direct lane, then yoga (what `listenGateway` serves). */
  readonly handle: NodeHandler;
  /** Handles one request (Fetch API); always the full pipeline. */
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
  /** Subgraphs registered at run time (admin API); undefined without `registry:` in the config. */
  readonly registry: RegistryApi | undefined;
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
    onKeysRefreshFailed: (failure) => logger.warn(failure, failure.keysUnavailable ? 'issuer keys unavailable' : 'issuer keys refresh failed; serving the last good keys'),
    fetch: fetchFn,
    now,
  });
  const metrics = createGatewayMetrics();
  const exchanger = new TokenExchanger({
    observer: metrics.exchange,
    fetch: fetchFn,
    now,
    timeoutMs: config.timeouts.exchange,
    onFailure: (event) => logger.warn(event, 'token exchange failed'),
  });
  // One pool of connections per subgraph origin, shared by every composition of the graph.
  const transport = options.fetch ? createFetchTransport(options.fetch) : createPooledTransport();
  const graphs = new WeakMap<GraphQLSchema, GraphState>();
  let current: GraphState | undefined;

  /**
   * Composes subgraphs into a state ready to serve. Used at start, for registrations and SDL
   * refreshes alike: whatever throws here refuses the change and leaves `current` serving.
   */
  function build(subgraphs: readonly LoadedSubgraph[]): GraphState {
    const graph = composeGraph(
      subgraphs.map(({ endpoint: { name, url, policy }, sdl }) => ({
        name,
        sdl,
        executor: createSubgraphExecutor({ url, policy, exchanger, timeoutMs: config.timeouts.subgraph, transport }),
      })),
    );
    // Gateway rules (authorization.rules) add to the subgraphs'; an unknown coordinate throws here.
    const state: GraphState = { graph, ...authorizeGraph(graph, { rules: config.authorization.rules }) };
    graphs.set(graph.schema, state);
    return state;
  }

  const served = serveSubgraphs<GraphState>(config, {
    build,
    // One assignment: requests already running keep the schema they started with.
    onCommit: (state) => void (current = state),
    loadSdl: ({ url, policy }) => loadSubgraphSdl(url, policy, exchanger, { fetch: fetchFn, timeoutMs: config.timeouts.sdl }),
    logger,
    audit: options.registryAuditSink ?? createRegistryAuditSink(config.audit.sink),
    now,
  });

  const graphiqlConfig = typeof config.graphiql === 'object' ? config.graphiql : {};
  const graphiql = config.graphiql === false ? false : {
    title: graphiqlConfig.title ?? 'meshgate',
    ...(graphiqlConfig.defaultHeaders ? { headers: JSON.stringify(graphiqlConfig.defaultHeaders, null, 2) } : {}),
    ...(graphiqlConfig.defaultQuery ? { defaultQuery: graphiqlConfig.defaultQuery } : {}),
  };

  const auditSink = options.auditSink ?? (config.audit.sink !== 'off' ? createAuditSink(config.audit.sink) : undefined);
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
        notReadyReason: () => (!current ? served.notReadyReason() : !verifier.isReady ? 'issuer keys not loaded yet' : undefined),
        details: () => served.readinessDetails(),
      }),
      ...(config.admin.enabled
        ? [useAdminApi({ registry: served.registry, verifier, roles: config.admin.roles, maxTokenBytes: config.limits.maxTokenBytes, logger, requestId: requestIdOf })]
        : []),
      useMetrics({ registry: metrics.registry }),
      useEntraAuth({
        verifier,
        paths: config.authorization.explain ? [GRAPHQL_PATH, EXPLAIN_PATH] : [GRAPHQL_PATH],
        anonymous: config.auth.anonymous,
        maxTokenBytes: config.limits.maxTokenBytes,
        graphiql: graphiql !== false,
      }),
      useOperationLimits({ maxDepth: config.limits.maxDepth }),
      useAuthorization({ graphFor: (schema) => graphs.get(schema), mode: config.authorization.mode, introspection: config.authorization.introspection }),
      ...(config.authorization.explain
        ? [useExplain({ graph: () => current, mode: config.authorization.mode, introspection: config.authorization.introspection, maxBodyBytes: config.limits.maxBodyBytes, maxDepth: config.limits.maxDepth })]
        : []),
      useTokenChallenges(),
      // With audit off, no event is built at all (it hashes the document on every request).
      ...(auditSink ? [useAudit({ sink: auditSink, now })] : []),
    ],
  });

  const handle = createDirectLane({
    yoga: yoga as unknown as NodeHandler,
    path: GRAPHQL_PATH,
    verifier,
    decisions: () => current?.decisions,
    maxTokenBytes: config.limits.maxTokenBytes,
    maxBodyBytes: config.limits.maxBodyBytes,
    onAnswer: metrics.directAnswer,
    ...(auditSink ? { audit: { sink: auditSink, now } } : {}),
  });

  return {
    yoga,
    handle,
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    exchanger,
    logger,
    get isReady() {
      return current !== undefined && verifier.isReady;
    },
    get graph() {
      return current?.graph;
    },
    get registry() {
      return served.registry;
    },
    async close() {
      served.close();
      verifier.close();
      await transport.close();
    },
    async start() {
      await Promise.all([served.start(), verifier.ready()]);
      const graph = current?.graph;
      if (graph) logger.info({ subgraphs: graph.subgraphs, rules: graph.rules.size }, 'graph composed');
      else logger.warn({ reason: served.notReadyReason() }, 'no graph to serve yet');
    },
  };
}

function requestIdOf(request: Request): string {
  return requestIdFrom(request.headers.get('x-request-id'));
}
