import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import type { SubgraphTokenPolicy } from './exchange-settings.js';
import { clientCredentialsForm, oboForm, tokenExchangeForm } from './grant-forms.js';
import { requestToken, StsError } from './sts-client.js';
import { TokenExchangeError } from './token-exchange-error.js';

/** Options of `TokenExchanger`. */
export interface TokenExchangerOptions {
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Timeout of each STS request. Default 5 s. */
  readonly timeoutMs?: number;
  /** Tokens kept (LRU). Default 10,000. */
  readonly cacheSize?: number;
  /** A cached token is replaced this long before it expires. Default 60 s. */
  readonly marginMs?: number;
  /** A failed exchange is remembered this long, so a down STS is not hammered. Default 2 s. */
  readonly failureTtlMs?: number;
  /** Told about STS failures (never given a token or an error description). */
  readonly onFailure?: (event: { subgraph: string; status?: number; error?: string; stsCode?: string; reason: string }) => void;
}

/** The token to send to a subgraph, and where it came from (for the audit trail). */
export interface SubgraphToken {
  readonly token: string | undefined;
  readonly source: 'cache' | 'exchange' | 'client-credentials' | 'forward' | 'none';
}

interface CacheEntry {
  readonly token?: string;
  readonly failure?: TokenExchangeError;
  readonly expiresAt: number;
}

/**
 * Gets, for one caller and one subgraph, a token of that subgraph's audience: Entra OBO or
 * RFC 8693 exchange for people, the gateway's own client-credentials token for app callers
 * (or a refusal, per `appCallers`). Tokens are cached by a hash of the caller's token together
 * with everything else that makes the result differ (grant, endpoint, client, audience,
 * scope), so one caller's token can never be served to another; concurrent requests for the
 * same key share one STS call.
 */
export class TokenExchanger {
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #marginMs: number;
  readonly #failureTtlMs: number;
  readonly #onFailure: TokenExchangerOptions['onFailure'];
  readonly #cache: LRUCache<string, CacheEntry>;
  readonly #inFlight = new Map<string, Promise<CacheEntry>>();
  /** Counters, for metrics and tests. */
  readonly stats = { hits: 0, misses: 0, exchanges: 0, failures: 0 };

  constructor(options: TokenExchangerOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#marginMs = options.marginMs ?? 60_000;
    this.#failureTtlMs = options.failureTtlMs ?? 2_000;
    this.#onFailure = options.onFailure;
    this.#cache = new LRUCache({ max: options.cacheSize ?? 10_000 });
  }

  /** The token to send to the subgraph of `policy` for `principal` (null: anonymous caller). */
  async tokenFor(principal: Principal | null, policy: SubgraphTokenPolicy): Promise<SubgraphToken> {
    if (policy.mode === 'none') return { token: undefined, source: 'none' };
    if (policy.mode === 'forward') {
      // Forwarding is an explicit choice in the config; anonymous callers have nothing to forward.
      return { token: principal?.token, source: 'forward' };
    }
    const exchange = policy.exchange;
    if (!exchange || !policy.audience) throw new TokenExchangeError(policy.subgraph, 'no exchange configured');
    if (!principal || principal.isApp) {
      if (exchange.appCallers === 'deny') {
        throw new TokenExchangeError(policy.subgraph, principal ? 'app callers are not allowed for this subgraph' : 'anonymous callers are not allowed for this subgraph');
      }
      return this.clientCredentials(policy);
    }
    const subject = principal.token;
    const key = cacheKey(['user', hash(subject), exchange.grant, exchange.tokenEndpoint, exchange.clientId, policy.audience, policy.scope ?? '']);
    const form = exchange.grant === 'entra-obo' ? oboForm(policy, subject) : tokenExchangeForm(policy, subject);
    const { entry, fromCache } = await this.#get(key, policy, form, principal.expiresAt);
    return { token: entry, source: fromCache ? 'cache' : 'exchange' };
  }

  /** The gateway's own token for the subgraph's audience (reading `_sdl`, serving app callers). */
  async clientCredentials(policy: SubgraphTokenPolicy): Promise<SubgraphToken> {
    const exchange = policy.exchange;
    if (!exchange || !policy.audience) throw new TokenExchangeError(policy.subgraph, 'no exchange configured');
    const key = cacheKey(['app', exchange.grant, exchange.tokenEndpoint, exchange.clientId, policy.audience, policy.scope ?? '']);
    const { entry, fromCache } = await this.#get(key, policy, clientCredentialsForm(policy), Number.POSITIVE_INFINITY);
    return { token: entry, source: fromCache ? 'cache' : 'client-credentials' };
  }

  async #get(key: string, policy: SubgraphTokenPolicy, form: Record<string, string>, notAfter: number): Promise<{ entry: string; fromCache: boolean }> {
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > now) {
      if (cached.failure) throw cached.failure;
      this.stats.hits++;
      return { entry: cached.token as string, fromCache: true };
    }
    this.stats.misses++;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#exchange(policy, form, notAfter).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const entry = await pending;
    // Failures are remembered briefly too (negative cache), so a down STS is not hammered.
    if (entry.expiresAt > this.#now()) this.#cache.set(key, entry);
    if (entry.failure) throw entry.failure;
    return { entry: entry.token as string, fromCache: false };
  }

  async #exchange(policy: SubgraphTokenPolicy, form: Record<string, string>, notAfter: number): Promise<CacheEntry> {
    const exchange = policy.exchange!;
    this.stats.exchanges++;
    try {
      const issued = await requestToken(exchange, form, {
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
        expectTokenExchange: form['grant_type'] === 'urn:ietf:params:oauth:grant-type:token-exchange',
      });
      // Never reuse past the caller's own token: its holder may have lost access by then.
      const expiresAt = Math.min(this.#now() + issued.expiresInMs - this.#marginMs, notAfter);
      return { token: issued.accessToken, expiresAt };
    } catch (error) {
      this.stats.failures++;
      const failure = this.#toError(policy, error);
      // Claims challenges are about this caller's session: never remember them.
      return { failure, expiresAt: failure.claims ? 0 : this.#now() + this.#failureTtlMs };
    }
  }

  #toError(policy: SubgraphTokenPolicy, error: unknown): TokenExchangeError {
    if (error instanceof StsError) {
      this.#onFailure?.({ subgraph: policy.subgraph, status: error.status, ...(error.error ? { error: error.error } : {}), ...(error.stsCode ? { stsCode: error.stsCode } : {}), reason: 'refused' });
      const challenge = error.claims && (error.error === 'interaction_required' || error.error === 'invalid_grant') ? error.claims : undefined;
      return new TokenExchangeError(policy.subgraph, error.error ? `the token service refused (${error.error})` : 'the token service refused', {
        stsError: error.error,
        claims: challenge,
      });
    }
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'the token service timed out' : 'the token service is unavailable';
    this.#onFailure?.({ subgraph: policy.subgraph, reason: error instanceof Error ? error.message : String(error) });
    return new TokenExchangeError(policy.subgraph, reason, { cause: error });
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function cacheKey(parts: readonly string[]): string {
  // Lengths make the key unambiguous whatever characters the parts contain.
  return parts.map((p) => `${p.length}:${p}`).join('|');
}
