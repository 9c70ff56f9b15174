import type { AdminCaller } from './admin-access.js';
import type { LoadedRegistry } from './registry-store.js';
import type { SchemaChange } from './schema-changes.js';
import type { GraphSummary, SubgraphView } from './subgraph-view.js';

/** What a registration, removal or check did (or would do, for a dry run). */
export interface RegistrationResult {
  readonly dryRun: boolean;
  /** Store version after the change (unchanged for a dry run). */
  readonly version: number;
  /** The registration after the change; null after a removal. */
  readonly subgraph: SubgraphView | null;
  /** Breaking changes or weakened rules were accepted because of `force`. */
  readonly forced: boolean;
  readonly changes: readonly SchemaChange[];
  /** The composed graph the change leads to. */
  readonly graph: GraphSummary;
}

/** Options of a change. */
export interface ChangeOptions {
  /** Accept breaking changes and weakened rules (still reported and audited). */
  readonly force?: boolean;
  /** Validate only; nothing changes. */
  readonly dryRun?: boolean;
  /** `If-None-Match: *`: only if not registered yet; `If-Match: *`: only if registered. */
  readonly expect?: 'absent' | 'present';
  readonly requestId?: string;
}

/** The registry as the admin API (and embedders) use it, whatever the gateway's graph state type. */
export interface RegistryApi {
  /** The store's current version (0: nothing registered yet). */
  readonly version: number;
  /** Set when the store was damaged or missing at start and its last good copy was used. */
  readonly recovered: LoadedRegistry['recovered'];
  /** 403 for a caller that is neither an admin nor the owner of any registration. */
  assertMayUse(caller: AdminCaller): void;
  list(caller: AdminCaller): { version: number; updatedAt: string | null; subgraphs: SubgraphView[] };
  get(name: string, caller: AdminCaller): SubgraphView;
  /** `PUT /admin/subgraphs/{name}`; without a name (the body's) and with `dryRun`, `POST /admin/check`. */
  put(name: string | undefined, body: unknown, caller: AdminCaller, options?: ChangeOptions): Promise<RegistrationResult>;
  remove(name: string, caller: AdminCaller, options?: ChangeOptions): Promise<RegistrationResult>;
  /** Re-fetches every subgraph's SDL now (what the periodic refresh does). */
  refresh(): Promise<void>;
}
