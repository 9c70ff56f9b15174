import type { Logger } from '../observability/logger.js';
import { parseSdl, type SubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import { owns, type AdminCaller } from './admin-access.js';
import type { Candidate, GraphManager, LoadedSubgraph, ServedGraph, SubgraphEndpoint } from './graph-manager.js';
import { fetchAll, planRefresh } from './plan-refresh.js';
import { checkRegistration, parseRegistration, type Registration, type RegistrationContext } from './registration.js';
import { checkAccess, checkConflicts, checkOwnership, forbidden, judgeChanges } from './registration-policy.js';
import type { ChangeOptions, RegistrationResult, RegistryApi } from './registry-api.js';
import { registryAuditEvent, type RegistryAuditEvent, type RegistryAuditFacts, type RegistryAuditSink } from './registry-audit.js';
import { RegistryError, RegistryStoreError } from './registry-error.js';
import { sha256, type LoadedRegistry, type RegistryChange, type RegistryDocument, type RegistryStore, type StoredSubgraph } from './registry-store.js';
import type { SchemaChange } from './schema-changes.js';
import { configView, graphSummary, registryView, type SubgraphView } from './subgraph-view.js';

export type { ChangeOptions, RegistrationResult, RegistryApi } from './registry-api.js';

/** Options of `SubgraphRegistry`. */
export interface SubgraphRegistryOptions<S extends ServedGraph> {
  readonly manager: GraphManager<S>;
  readonly store: RegistryStore;
  /** The config file's subgraphs: served, never changed through the registry. */
  readonly staticEndpoints: readonly SubgraphEndpoint[];
  /** Where a registration is and how the gateway gets its tokens (the config's exchange block applied). */
  readonly endpointOf: (registration: Registration) => SubgraphEndpoint;
  /** Fetches `{ _sdl }`; throws `CompositionError` naming the subgraph and the failure. */
  readonly loadSdl: (endpoint: SubgraphEndpoint) => Promise<SubgraphSdl>;
  readonly context: RegistrationContext;
  /** Re-fetch every subgraph's SDL this often (ms); 0: never. */
  readonly refreshIntervalMs: number;
  readonly logger: Logger;
  readonly audit: RegistryAuditSink;
  readonly now?: () => number;
}

/**
 * The subgraphs data-product owners register at run time: validated before anything changes,
 * persisted in the store, and hot-swapped into the served graph. A refused change leaves the
 * graph and the store exactly as they were. Config-file subgraphs are served alongside and are
 * read-only here.
 *
 * Every change (registration, removal, refresh) runs under `manager.exclusive`: it is judged
 * against the graph its predecessor left, written to the store, then swapped in, so concurrent
 * registrations never lose one another and the store never holds what is not served.
 */
export class SubgraphRegistry<S extends ServedGraph> implements RegistryApi {
  readonly #o: SubgraphRegistryOptions<S>;
  readonly #now: () => number;
  readonly #static: ReadonlyMap<string, SubgraphEndpoint>;
  /** Endpoints of the registrations, by name (stable objects: a refresh checks identity). */
  readonly #endpoints = new Map<string, SubgraphEndpoint>();
  #document: RegistryDocument | undefined;
  #recovered: LoadedRegistry['recovered'];
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SubgraphRegistryOptions<S>) {
    if (!Number.isFinite(options.refreshIntervalMs) || options.refreshIntervalMs < 0) {
      throw new TypeError('SubgraphRegistry: refreshIntervalMs must be a number of milliseconds >= 0');
    }
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#static = new Map(options.staticEndpoints.map((e) => [e.name, e]));
  }

  get version(): number {
    return this.#document?.version ?? 0;
  }

  get recovered(): LoadedRegistry['recovered'] {
    return this.#recovered;
  }

  /**
   * Loads the store, fetches the config subgraphs' SDL and serves them with the registered
   * subgraphs' last validated SDL (a restart does not depend on the registered subgraphs being
   * up). Throws `RegistryStoreError` when the store is unusable.
   */
  async start(): Promise<void> {
    const loaded = await this.#o.store.load();
    this.#document = loaded.document;
    this.#recovered = loaded.recovered;
    if (loaded.recovered) {
      this.#o.logger.warn(
        { store: this.#o.store.path, version: loaded.recovered.version, damagedCopy: loaded.recovered.damagedCopy },
        `registry: ${loaded.recovered.reason}; started from the last good copy (version ${loaded.recovered.version})`,
      );
    }
    const required = await Promise.all(this.#o.staticEndpoints.map(async (endpoint) => ({ endpoint, sdl: await this.#o.loadSdl(endpoint) })));
    const optional: LoadedSubgraph[] = [];
    for (const stored of loaded.document.subgraphs) {
      if (this.#static.has(stored.name)) {
        // The config file won: a subgraph of that name was added there since it was registered.
        this.#o.manager.report({ subgraph: stored.name, kind: 'incompatible', reason: 'left out at start: the config file now defines a subgraph of this name; remove the registration' });
        continue;
      }
      try {
        const endpoint = this.#o.endpointOf(stored);
        this.#endpoints.set(stored.name, endpoint);
        optional.push({ endpoint, sdl: { sdl: stored.sdl, document: parseSdl(stored.name, stored.sdl) } });
      } catch (error) {
        this.#o.manager.report({ subgraph: stored.name, kind: 'incompatible', reason: `left out at start: ${(error as Error).message}` });
      }
    }
    const left = await this.#o.manager.start(required, optional);
    for (const name of left) this.#o.logger.warn({ subgraph: name, problem: this.#o.manager.problems.get(name)?.reason }, 'registry: subgraph left out at start');
    if (this.#o.refreshIntervalMs > 0 && !this.#timer) {
      this.#timer = setInterval(() => {
        this.refresh().catch((error: unknown) => this.#o.logger.error({ problem: (error as Error).message }, 'registry: SDL refresh failed'));
      }, this.#o.refreshIntervalMs);
      this.#timer.unref();
    }
  }

  /** Stops the periodic refresh. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  assertMayUse(caller: AdminCaller): void {
    if (caller.admin || this.#document?.subgraphs.some((s) => owns(caller, s.owner))) return;
    throw forbidden('the admin API needs an admin app role, or the ownership of a registered subgraph');
  }

  /** Every subgraph the caller may see: all for admins (config ones too), their own for owners. */
  list(caller: AdminCaller): { version: number; updatedAt: string | null; subgraphs: SubgraphView[] } {
    const document = this.#require();
    const visible = document.subgraphs.filter((s) => caller.admin || owns(caller, s.owner));
    const configured = caller.admin ? [...this.#static.values()].map((e) => this.#configView(e)) : [];
    return { version: document.version, updatedAt: document.updatedAt, subgraphs: [...configured, ...visible.map((s) => this.#registryView(s))] };
  }

  /** One subgraph. Config subgraphs are visible to admins only. */
  get(name: string, caller: AdminCaller): SubgraphView {
    this.#require();
    const endpoint = this.#static.get(name);
    if (endpoint) {
      if (!caller.admin) throw forbidden(`subgraph "${name}" is defined in the config file; only admins may read it here`);
      return this.#configView(endpoint);
    }
    const stored = this.#stored(name);
    checkOwnership(name, caller, stored);
    return this.#registryView(stored as StoredSubgraph);
  }

  async put(name: string | undefined, body: unknown, caller: AdminCaller, options: ChangeOptions = {}): Promise<RegistrationResult> {
    const registration = parseRegistration(body, name);
    const action = options.dryRun ? 'check' : this.#stored(registration.name) ? 'update' : 'create';
    try {
      // Checked before the URL is fetched (the fetch carries a token of the gateway's), and again under the lock.
      this.#check(registration, caller);
      checkRegistration(registration, this.#o.context);
      const endpoint = this.#o.endpointOf(registration);
      const sdl = await this.#fetch(endpoint);
      return await this.#o.manager.exclusive(() => this.#put(registration, endpoint, sdl, caller, options));
    } catch (error) {
      this.#auditRefusal(error, { action, subgraphs: [registration.name], caller, requestId: options.requestId });
      throw error;
    }
  }

  /** Removing a subgraph takes fields away from callers: a breaking change, so it needs `force`. */
  async remove(name: string, caller: AdminCaller, options: ChangeOptions = {}): Promise<RegistrationResult> {
    try {
      return await this.#o.manager.exclusive(() => this.#remove(name, caller, options));
    } catch (error) {
      this.#auditRefusal(error, { action: 'remove', subgraphs: [name], caller, requestId: options.requestId });
      throw error;
    }
  }

  /**
   * Re-fetches every subgraph's SDL. A changed SDL that composes without breaking changes or
   * weakened rules is swapped in (and stored, for registered subgraphs); otherwise the last good
   * version keeps serving and the subgraph is reported (log, `/readyz`, admin API).
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #put(registration: Registration, endpoint: SubgraphEndpoint, sdl: SubgraphSdl, caller: AdminCaller, options: ChangeOptions): Promise<RegistrationResult> {
    const existing = this.#stored(registration.name);
    if (options.expect === 'absent' && existing) throw new RegistryError('PRECONDITION_FAILED', `subgraph "${registration.name}" is already registered (If-None-Match: *); use update`);
    if (options.expect === 'present' && !existing) throw new RegistryError('PRECONDITION_FAILED', `subgraph "${registration.name}" is not registered (If-Match: *); use add`);
    this.#check(registration, caller);
    const manager = this.#o.manager;
    const candidate = await manager.prepare(new Map(manager.serving).set(registration.name, { endpoint, sdl }), { changed: registration.name });
    const forced = judgeChanges(candidate.changes, options.force === true, caller);
    const time = new Date(this.#now()).toISOString();
    const stored: StoredSubgraph = {
      ...registration,
      // Leaving `owner` out of an update keeps it.
      ...(registration.owner === undefined && existing?.owner !== undefined ? { owner: existing.owner } : {}),
      sdl: sdl.sdl,
      sdlSha256: sha256(sdl.sdl),
      createdAt: existing?.createdAt ?? time,
      updatedAt: time,
      updatedBy: caller.actor,
    };
    if (options.dryRun) return this.#result(true, registryView(stored, true, undefined), forced, candidate.changes, candidate);
    const subgraphs = existing ? this.#require().subgraphs.map((s) => (s.name === stored.name ? stored : s)) : [...this.#require().subgraphs, stored];
    const action = existing ? 'update' : 'create';
    await this.#write({ action, subgraphs: [stored.name], by: caller.actor, forced }, subgraphs);
    this.#endpoints.set(stored.name, endpoint);
    manager.commit(candidate);
    manager.resolve(stored.name);
    this.#audit({ action, subgraphs: [stored.name], outcome: 'applied', caller, forced, changes: candidate.changes, requestId: options.requestId });
    this.#o.logger.info({ subgraph: stored.name, version: this.version, forced, changes: candidate.changes.length }, `registry: subgraph ${action === 'create' ? 'registered' : 'updated'}`);
    return this.#result(false, this.#registryView(stored), forced, candidate.changes, candidate);
  }

  async #remove(name: string, caller: AdminCaller, options: ChangeOptions): Promise<RegistrationResult> {
    const stored = this.#stored(name);
    // A registration shadowed by a config subgraph of the same name may still be removed.
    if (this.#static.has(name) && !stored) throw new RegistryError('CONFLICT', `subgraph "${name}" is defined in the config file; remove it there`);
    checkOwnership(name, caller, stored);
    const manager = this.#o.manager;
    let candidate: Candidate<S> | undefined;
    const registered = this.#endpoints.get(name);
    if (registered && manager.serving.get(name)?.endpoint === registered) {
      const next = new Map(manager.serving);
      next.delete(name);
      candidate = await manager.prepare(next, { changed: name });
    }
    const changes = candidate?.changes ?? [];
    const forced = judgeChanges(changes, options.force === true, caller);
    if (options.dryRun) return this.#result(true, null, forced, changes, candidate);
    await this.#write({ action: 'remove', subgraphs: [name], by: caller.actor, forced }, this.#require().subgraphs.filter((s) => s.name !== name));
    this.#endpoints.delete(name);
    if (candidate) manager.commit(candidate);
    manager.resolve(name);
    this.#audit({ action: 'remove', subgraphs: [name], outcome: 'applied', caller, forced, changes, requestId: options.requestId });
    this.#o.logger.info({ subgraph: name, version: this.version, forced }, 'registry: subgraph removed');
    return this.#result(false, null, forced, changes, candidate);
  }

  async #refresh(): Promise<void> {
    const fetched = await fetchAll([...this.#static.values(), ...this.#endpoints.values()], this.#o.loadSdl);
    const manager = this.#o.manager;
    await manager.exclusive(async () => {
      const isCurrent = (endpoint: SubgraphEndpoint) => (this.#static.get(endpoint.name) ?? this.#endpoints.get(endpoint.name)) === endpoint;
      const plan = await planRefresh(manager, fetched, isCurrent);
      for (const problem of plan.problems) {
        manager.report(problem);
        this.#o.logger.warn({ subgraph: problem.subgraph, problem: problem.reason }, `registry: subgraph ${problem.kind === 'unreachable' ? 'SDL refresh failed' : 'SDL changed incompatibly'}; serving the last good version`);
      }
      for (const name of plan.fine) manager.resolve(name);
      if (!plan.candidate) return;
      const registered = [...plan.updated.keys()].filter((name) => this.#endpoints.has(name));
      if (registered.length > 0) {
        const time = new Date(this.#now()).toISOString();
        const subgraphs = this.#require().subgraphs.map((s) => {
          const sdl = plan.updated.get(s.name);
          return sdl ? { ...s, sdl: sdl.sdl, sdlSha256: sha256(sdl.sdl), updatedAt: time, updatedBy: null } : s;
        });
        try {
          await this.#write({ action: 'refresh', subgraphs: registered, by: null, forced: false }, subgraphs);
        } catch (error) {
          // Not swapped in either: the store never holds less than what is served, nor the reverse.
          for (const name of plan.updated.keys()) manager.report({ subgraph: name, kind: 'incompatible', reason: `not swapped in: ${(error as Error).message}` });
          return;
        }
      }
      manager.commit(plan.candidate);
      for (const name of plan.updated.keys()) manager.resolve(name);
      this.#o.logger.info({ subgraphs: [...plan.updated.keys()], changes: plan.changes.length }, 'registry: subgraph SDL changed; serving the new version');
      this.#audit({ action: 'refresh', subgraphs: [...plan.updated.keys()], outcome: 'applied', caller: null, forced: false, changes: plan.changes });
    });
  }

  #check(registration: Registration, caller: AdminCaller): void {
    checkConflicts(registration, this.#static, this.#endpoints.values());
    checkAccess(registration, caller, this.#stored(registration.name));
  }

  async #fetch(endpoint: SubgraphEndpoint): Promise<SubgraphSdl> {
    try {
      return await this.#o.loadSdl(endpoint);
    } catch (error) {
      throw new RegistryError('REGISTRATION_REFUSED', (error as Error).message, { cause: error });
    }
  }

  async #write(change: RegistryChange, subgraphs: readonly StoredSubgraph[]): Promise<void> {
    const next = this.#o.store.next(this.#require(), change, subgraphs);
    try {
      await this.#o.store.write(next);
    } catch (error) {
      this.#o.logger.error({ problem: (error as Error).message }, 'registry: store write failed; nothing changed');
      throw new RegistryError('STORE_UNAVAILABLE', 'the registry store could not be written; nothing changed', { cause: error instanceof RegistryStoreError ? error : undefined });
    }
    this.#document = next;
  }

  #result(dryRun: boolean, subgraph: SubgraphView | null, forced: boolean, changes: readonly SchemaChange[], candidate: Candidate<S> | undefined): RegistrationResult {
    return { dryRun, version: this.version, subgraph, forced, changes, graph: graphSummary((candidate?.state ?? this.#o.manager.current)?.graph) };
  }

  #stored(name: string): StoredSubgraph | undefined {
    return this.#document?.subgraphs.find((s) => s.name === name);
  }

  #require(): RegistryDocument {
    if (!this.#document) throw new RegistryError('STORE_UNAVAILABLE', 'the registry is not loaded yet; the gateway is starting');
    return this.#document;
  }

  #registryView(stored: StoredSubgraph): SubgraphView {
    const served = this.#o.manager.serving.get(stored.name);
    return registryView(stored, served !== undefined && served.endpoint === this.#endpoints.get(stored.name), this.#o.manager.problems.get(stored.name));
  }

  #configView(endpoint: SubgraphEndpoint): SubgraphView {
    const served = this.#o.manager.serving.get(endpoint.name);
    return configView(endpoint, served ? sha256(served.sdl.sdl) : undefined, served !== undefined, this.#o.manager.problems.get(endpoint.name));
  }

  #audit(facts: Omit<RegistryAuditFacts, 'version'>): void {
    const event = registryAuditEvent({ ...facts, version: this.version }, this.#now());
    try {
      this.#o.audit.write(event);
    } catch (error) {
      // The change is made; answering 500 would say otherwise. The event goes to the log instead.
      this.#o.logger.error({ event, problem: (error as Error).message }, 'registry: audit event could not be written');
    }
  }

  /** Refusals and forbidden attempts are audited too: someone tried to change the graph. */
  #auditRefusal(error: unknown, facts: { action: RegistryAuditEvent['action']; subgraphs: string[]; caller: AdminCaller; requestId: string | undefined }): void {
    if (!(error instanceof RegistryError) || (error.adminCode !== 'REGISTRATION_REFUSED' && error.adminCode !== 'FORBIDDEN')) return;
    this.#audit({ ...facts, outcome: 'refused', forced: false, changes: error.changes ?? [], reasons: error.reasons });
  }
}
