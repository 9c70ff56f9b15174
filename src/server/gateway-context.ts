import type { Principal } from '../auth/principal.js';
import type { FieldDenial } from '../authz/plan-operation.js';
import type { SubgraphToken } from '../exchange/token-exchanger.js';

/** One subgraph call, as the audit event reports it. */
export interface SubgraphCall {
  readonly subgraph: string;
  readonly audience: string | undefined;
  readonly tokenSource: SubgraphToken['source'] | 'failed';
}

/**
 * What meshgate adds to each request's GraphQL context. Everything here is per request:
 * nothing that depends on the caller's permissions outlives it.
 */
export interface GatewayContext {
  /** The verified caller; null for an anonymous caller (only when `auth.anonymous` is on). */
  readonly principal: Principal | null;
  readonly requestId: string;
  /** Filled by the subgraph executors, read by the audit plugin. */
  readonly subgraphCalls: SubgraphCall[];
  /** Filled by the authorization plugin: what the caller asked for and may not read. */
  readonly denied: FieldDenial[];
}
