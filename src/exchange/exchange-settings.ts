import type { ExchangeConfig, SubgraphConfig } from '../config/config-schema.js';

/** How the gateway obtains the token for one subgraph: the config after merging overrides. */
export interface SubgraphTokenPolicy {
  readonly subgraph: string;
  /** exchange: a token of the subgraph's audience; forward: the caller's own token; none: no header. */
  readonly mode: 'exchange' | 'forward' | 'none';
  readonly audience: string | undefined;
  /** RFC 8693 `scope`; for OBO, the scope to ask for instead of `<audience>/.default`. */
  readonly scope: string | undefined;
  readonly exchange: ExchangeConfig | undefined;
}

/** Merges a subgraph's `exchange:` override over the top-level `exchange` block. */
export function subgraphTokenPolicy(subgraph: SubgraphConfig, defaults: ExchangeConfig | undefined): SubgraphTokenPolicy {
  const merged = defaults || subgraph.exchange ? ({ ...defaults, ...stripUndefined(subgraph.exchange ?? {}) } as ExchangeConfig) : undefined;
  if (merged) {
    merged.grant ??= 'entra-obo';
    merged.clientAuth ??= 'client_secret_post';
    merged.appCallers ??= 'client-credentials';
  }
  return { subgraph: subgraph.name, mode: subgraph.token, audience: subgraph.audience, scope: subgraph.scope, exchange: merged };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
