import { Counter, Registry } from 'prom-client';
import type { ExchangeFailureReason, ExchangeGrant, ExchangeObserver } from '../exchange/token-exchanger.js';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one):
 * two gateways in one process, as in the tests, never count into each other.
 *
 * Labels are only ever configuration (subgraph names) and fixed sets (grant, reason): never a
 * caller, a token, a tenant or an STS message, so no caller data reaches the metrics and the
 * number of series stays bounded.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts what the token exchanger does, per subgraph. */
  readonly exchange: ExchangeObserver;
  /** Counts the GraphQL requests the direct lane answered (the rest went through yoga). */
  directAnswer(): void;
}

/**
 * @example
 * const metrics = createGatewayMetrics();
 * const exchanger = new TokenExchanger({ observer: metrics.exchange });
 * // GET /metrics: useMetrics({ registry: metrics.registry })
 */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const hits = new Counter({
    name: 'meshgate_token_cache_hits_total',
    help: 'Subgraph tokens served from the token cache, without calling the token service.',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  });
  const misses = new Counter({
    name: 'meshgate_token_cache_misses_total',
    help: 'Subgraph token requests not served from the cache (each waits for one token service call, possibly shared).',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  });
  const exchanges = new Counter({
    name: 'meshgate_token_exchanges_total',
    help: 'Calls to the token service, by grant (entra-obo, token-exchange, client-credentials).',
    labelNames: ['subgraph', 'grant'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'meshgate_token_exchange_failures_total',
    help: 'Subgraph tokens not obtained, by reason (refused, claims-challenge, timeout, unavailable, invalid-response, denied).',
    labelNames: ['subgraph', 'reason'] as const,
    registers: [registry],
  });
  const direct = new Counter({
    name: 'meshgate_direct_lane_answers_total',
    help: 'GraphQL requests answered by the direct lane: an operation text already authorized for the scope set and forwarded whole to one subgraph.',
    registers: [registry],
  });
  return {
    registry,
    directAnswer: () => direct.inc(),
    exchange: {
      hit: (subgraph: string) => hits.inc({ subgraph }),
      miss: (subgraph: string) => misses.inc({ subgraph }),
      exchange: (subgraph: string, grant: ExchangeGrant) => exchanges.inc({ subgraph, grant }),
      failure: (subgraph: string, reason: ExchangeFailureReason) => failures.inc({ subgraph, reason }),
    },
  };
}
