import type { ExchangeConfig, SubgraphConfig } from '../config/config-schema.js';
import { createClientAuthentication, type ClientAuthentication } from './client-authentication.js';

/** How the gateway obtains the token for one subgraph: the config after merging overrides. */
export interface SubgraphTokenPolicy {
  readonly subgraph: string;
  /** exchange: a token of the subgraph's audience; forward: the caller's own token; none: no header. */
  readonly mode: 'exchange' | 'forward' | 'none';
  readonly audience: string | undefined;
  /** RFC 8693 `scope`; for OBO, the scope to ask for instead of `<audience>/.default`. */
  readonly scope: string | undefined;
  readonly exchange: ExchangeConfig | undefined;
  /** How the gateway authenticates to `exchange.tokenEndpoint`; built (keys imported) with the policy. */
  readonly clientAuthentication: ClientAuthentication | undefined;
}

/**
 * Merges a subgraph's `exchange:` override over the top-level `exchange` block and prepares
 * its client authentication. Throws `ConfigError` naming the option when the merged block
 * cannot authenticate (no secret for a secret method, a private key that does not import).
 */
export function subgraphTokenPolicy(subgraph: SubgraphConfig, defaults: ExchangeConfig | undefined): SubgraphTokenPolicy {
  const merged = defaults || subgraph.exchange ? ({ ...defaults, ...stripUndefined(subgraph.exchange ?? {}) } as ExchangeConfig) : undefined;
  if (merged) {
    merged.grant ??= 'entra-obo';
    merged.clientAuth ??= 'client_secret_post';
    merged.appCallers ??= 'client-credentials';
  }
  // `forward` subgraphs still get the gateway's own token to read their `_sdl`.
  const needsClient = merged !== undefined && subgraph.token !== 'none';
  return {
    subgraph: subgraph.name,
    mode: subgraph.token,
    audience: subgraph.audience,
    scope: subgraph.scope,
    exchange: merged,
    clientAuthentication: needsClient ? createClientAuthentication(merged, optionPath(subgraph, merged)) : undefined,
  };
}

/** Where the failing setting comes from: the subgraph's override when it set it, else the top-level block. */
function optionPath(subgraph: SubgraphConfig, merged: ExchangeConfig): string {
  const override = subgraph.exchange;
  const own =
    override !== undefined &&
    (merged.clientAuth === 'private_key_jwt' ? override.clientAssertion !== undefined || override.clientAuth !== undefined : override.clientSecret !== undefined || override.clientAuth !== undefined);
  return own ? `subgraphs[${subgraph.name}].exchange` : 'exchange';
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
