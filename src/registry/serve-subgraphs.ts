import type { MeshgateConfig } from '../config/config-schema.js';
import { subgraphTokenPolicy } from '../exchange/exchange-settings.js';
import type { Logger } from '../observability/logger.js';
import type { SubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import { GraphManager, type LoadedSubgraph, type ServedGraph, type SubgraphEndpoint } from './graph-manager.js';
import { toSubgraphConfig, type Registration } from './registration.js';
import type { RegistryAuditSink } from './registry-audit.js';
import { RegistryError } from './registry-error.js';
import { RegistryStore } from './registry-store.js';
import { SubgraphRegistry } from './subgraph-registry.js';

/** Options of `serveSubgraphs`: how the gateway builds a graph and reads an SDL. */
export interface ServeSubgraphsOptions<S extends ServedGraph> {
  /** Composes and derives enforcement; throws naming what does not compose. */
  build(subgraphs: readonly LoadedSubgraph[]): S;
  /** Told of every state that starts serving. */
  onCommit(state: S): void;
  /** `{ _sdl }` of one subgraph with the gateway's own token; throws `CompositionError`. */
  loadSdl(endpoint: SubgraphEndpoint): Promise<SubgraphSdl>;
  readonly logger: Logger;
  readonly audit: RegistryAuditSink;
  readonly now?: () => number;
}

/** The subgraphs a gateway serves: the config file's, and the registry's when configured. */
export interface ServedSubgraphs<S extends ServedGraph> {
  readonly manager: GraphManager<S>;
  /** Undefined without `registry:` in the config. */
  readonly registry: SubgraphRegistry<S> | undefined;
  /** Composes the first graph (and loads the registry). */
  start(): Promise<void>;
  /** Stops the periodic SDL refresh. */
  close(): void;
  /** Why no graph is served yet, or undefined once one is. */
  notReadyReason(): string | undefined;
  /**
   * What `/readyz` adds: subgraphs served from their last good version, by name and kind only
   * (the reasons name URLs and schema details; they are on the authenticated admin API).
   */
  readinessDetails(): Record<string, unknown> | undefined;
}

/**
 * Wires the graph manager and, with `registry:` in the config, the registry (store, admin
 * operations, periodic SDL refresh) for `createGateway`.
 */
export function serveSubgraphs<S extends ServedGraph>(config: MeshgateConfig, options: ServeSubgraphsOptions<S>): ServedSubgraphs<S> {
  const manager = new GraphManager<S>({ build: options.build, onCommit: options.onCommit, ...(options.now ? { now: options.now } : {}) });
  const staticEndpoints: SubgraphEndpoint[] = config.subgraphs.map((s) => ({
    name: s.name,
    url: s.url,
    policy: subgraphTokenPolicy(s, config.exchange),
    origin: 'config',
  }));
  const registry = config.registry
    ? new SubgraphRegistry<S>({
        manager,
        store: new RegistryStore({ path: config.registry.path, history: config.registry.history, ...(options.now ? { now: options.now } : {}) }),
        staticEndpoints,
        endpointOf: (registration) => registeredEndpoint(registration, config),
        loadSdl: options.loadSdl,
        context: { gatewayAudiences: config.auth.audiences, exchange: config.exchange },
        refreshIntervalMs: config.registry.refreshInterval,
        logger: options.logger,
        audit: options.audit,
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;

  let started = false;
  return {
    manager,
    registry,
    async start() {
      if (registry) await registry.start();
      else {
        const loaded = await Promise.all(staticEndpoints.map(async (endpoint) => ({ endpoint, sdl: await options.loadSdl(endpoint) })));
        await manager.start(loaded, []);
      }
      started = true;
    },
    close() {
      registry?.close();
    },
    notReadyReason() {
      if (manager.current) return undefined;
      return started && registry && staticEndpoints.length === 0
        ? 'no subgraph registered yet: register one with PUT /admin/subgraphs/{name}'
        : 'graph not composed yet';
    },
    readinessDetails() {
      const problems = [...manager.problems.values()].map((p) => ({ subgraph: p.subgraph, problem: p.kind, since: p.since }));
      const recovered = registry?.recovered;
      if (problems.length === 0 && !registry) return undefined;
      return {
        subgraphs: [...manager.serving.keys()],
        ...(registry ? { registry: { version: registry.version, ...(recovered ? { recovered: `${recovered.reason}; started from the last good copy (version ${recovered.version})` } : {}) } } : {}),
        ...(problems.length ? { problems } : {}),
      };
    },
  };
}

function registeredEndpoint(registration: Registration, config: MeshgateConfig): SubgraphEndpoint {
  let policy;
  try {
    policy = subgraphTokenPolicy(toSubgraphConfig(registration), config.exchange);
  } catch (error) {
    throw new RegistryError('REGISTRATION_REFUSED', `the gateway cannot get tokens for this subgraph: ${(error as Error).message}`);
  }
  return { name: registration.name, url: registration.url, policy, origin: 'registry' };
}
