import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import { BodyTooLargeError } from '../util/read-bounded.js';
import type { SubgraphTokenPolicy } from './exchange-settings.js';
import { clientCredentialsForm, oboForm, tokenExchangeForm } from './grant-forms.js';
import { requestToken, StsError, StsResponseError } from './sts-client.js';
import { TokenExchangeError } from './token-exchange-error.js';

/** Why no token was obtained; a fixed set, so it can be a metrics label. */
export type ExchangeFailureReason = 'refused' | 'claims-challenge' | 'timeout' | 'unavailable' | 'invalid-response' | 'denied';

/** The grant of one STS call (client-credentials: the gateway's own token). */
export type ExchangeGrant = 'entra-obo' | 'token-exchange' | 'client-credentials';

/**
 * Told what the exchanger does, per subgraph (metrics). Never given a token, a caller
 * identity or an STS error description.
 */
export interface ExchangeObserver {
  /** A token was served from the cache. */
  hit(subgraph: string): void;
  /** No usable cached token: the request waits for an STS call (its own or one in flight). */
  miss(subgraph: string): void;
  /** One STS call was made. */
  exchange(subgraph: string, grant: ExchangeGrant): void;
  /** An STS call failed, or a caller was refused without one (`denied`). */
  failure(subgraph: string, reason: ExchangeFailureReason): void;
}

/** What `onFailure` is told (for the log): codes only, never a description, token or caller. */
export interface ExchangeFailureEvent {
  readonly subgraph: string;
  readonly reason: ExchangeFailureReason;
  /** HTTP status of the STS answer. */
  readonly status?: number;
  /** The STS's OAuth `error` code. */
  readonly error?: string;
  /** `AADSTS<n>` from the STS's description; the description itself is dropped. */
  readonly stsCode?: string;
  /** A fixed text for failures without an STS answer. */
  readonly detail?: string;
}

/** Options of `TokenExchanger`. Defaults in brackets. */
export interface TokenExchangerOptions {
  /** [global fetch] */
  readonly fetch?: typeof fetch;
  /** Clock in ms, for cache expiry and client assertion times. [Date.now] */
  readonly now?: () => number;
  /** Timeout of each STS request, whole response included. [5,000] */
  readonly timeoutMs?: number;
  /** Tokens kept (LRU). [10,000] */
  readonly cacheSize?: number;
  /** A cached token is replaced this long before it expires (at most half its lifetime). [60,000] */
  readonly marginMs?: number;
  /** A failed exchange is remembered this long, so a down STS is not hammered. [2,000] */
  readonly failureTtlMs?: number;
  /** Told about every failure, for the log. */
  readonly onFailure?: (event: ExchangeFailureEvent) => void;
  /** Metrics. */
  readonly observer?: ExchangeObserver;
}

/** The token to send to a subgraph, and where it came from (for the audit trail). */
export interface SubgraphToken {
  readonly token: string | undefined;
  /**
   * `exchange`: OBO / RFC 8693 for the person calling; `client-credentials`: the gateway's own
   * token (app or anonymous callers, `_sdl`); `-cached` when no STS call was needed.
   */
  readonly source: 'exchange' | 'exchange-cached' | 'client-credentials' | 'client-credentials-cached' | 'forward' | 'none';
}

interface CacheEntry {
  readonly token?: string;
  readonly failure?: TokenExchangeError;
  readonly expiresAt: number;
}

/**
 * Gets, for one caller and one subgraph, a token of that subgraph's audience: Entra OBO or
 * RFC 8693 exchange for people, the gateway's own client-credentials token for app callers
 * (or a refusal, per `appCallers`).
 *
 * Tokens are cached by a hash of the caller's token together with everything else that makes
 * the result differ (grant, endpoint, client, audience, scope, resource), so one caller's token
 * can never be served to another; the raw token is never a key. Concurrent requests for the
 * same key share one STS call. A token is reused until `expires_in` minus a margin, and never
 * past the caller's own token; a failure is remembered only briefly.
 *
 * @example
 * const exchanger = new TokenExchanger({ timeoutMs: 5_000 });
 * const { token } = await exchanger.tokenFor(context.principal, subgraphTokenPolicy(subgraph, config.exchange));
 */
export class TokenExchanger {
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #marginMs: number;
  readonly #failureTtlMs: number;
  readonly #onFailure: TokenExchangerOptions['onFailure'];
  readonly #observer: ExchangeObserver | undefined;
  readonly #cache: LRUCache<string, CacheEntry>;
  readonly #inFlight = new Map<string, Promise<CacheEntry>>();
  /** Counters over all subgraphs, for tests (metrics get them per subgraph). */
  readonly stats = { hits: 0, misses: 0, exchanges: 0, failures: 0 };

  constructor(options: TokenExchangerOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = positive(options.timeoutMs ?? 5_000, 'timeoutMs');
    this.#marginMs = nonNegative(options.marginMs ?? 60_000, 'marginMs');
    this.#failureTtlMs = nonNegative(options.failureTtlMs ?? 2_000, 'failureTtlMs');
    this.#onFailure = options.onFailure;
    this.#observer = options.observer;
    this.#cache = new LRUCache({ max: positive(options.cacheSize ?? 10_000, 'cacheSize') });
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
        this.#fail({ subgraph: policy.subgraph, reason: 'denied', detail: principal ? 'app caller' : 'anonymous caller' });
        throw new TokenExchangeError(policy.subgraph, principal ? 'app callers are not allowed for this subgraph' : 'anonymous callers are not allowed for this subgraph');
      }
      return this.clientCredentials(policy);
    }
    const subject = principal.token;
    // The hash was computed once at verification (Principal.tokenHash); never key on the token.
    const key = cacheKey(['user', principal.tokenHash, exchange.grant, exchange.tokenEndpoint, exchange.clientId, policy.audience, policy.scope ?? '', exchange.resource ?? '']);
    // The form is built only on a cache miss: a hit costs a key and a map lookup.
    const form = () => (exchange.grant === 'entra-obo' ? oboForm(policy, subject) : tokenExchangeForm(policy, subject));
    const { token, fromCache } = await this.#get(key, policy, exchange.grant, form, principal.expiresAt);
    return { token, source: fromCache ? 'exchange-cached' : 'exchange' };
  }

  /** The gateway's own token for the subgraph's audience (reading `_sdl`, serving app callers). */
  async clientCredentials(policy: SubgraphTokenPolicy): Promise<SubgraphToken> {
    const exchange = policy.exchange;
    if (!exchange || !policy.audience) throw new TokenExchangeError(policy.subgraph, 'no exchange configured');
    const key = cacheKey(['app', exchange.grant, exchange.tokenEndpoint, exchange.clientId, policy.audience, policy.scope ?? '', exchange.resource ?? '']);
    const { token, fromCache } = await this.#get(key, policy, 'client-credentials', () => clientCredentialsForm(policy), Number.POSITIVE_INFINITY);
    return { token, source: fromCache ? 'client-credentials-cached' : 'client-credentials' };
  }

  /** Tokens and remembered failures currently cached. */
  get cacheSize(): number {
    return this.#cache.size;
  }

  async #get(key: string, policy: SubgraphTokenPolicy, grant: ExchangeGrant, form: () => Record<string, string>, notAfter: number): Promise<{ token: string; fromCache: boolean }> {
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.#now()) {
      if (cached.failure) throw cached.failure;
      this.stats.hits++;
      this.#observer?.hit(policy.subgraph);
      return { token: cached.token!, fromCache: true };
    }
    this.stats.misses++;
    this.#observer?.miss(policy.subgraph);
    let pending = this.#inFlight.get(key);
    if (!pending) {
      // Cached before the in-flight entry goes away, so no request can fall between the two.
      pending = this.#exchange(policy, grant, form(), notAfter)
        .then((entry) => {
          if (entry.expiresAt > this.#now()) this.#cache.set(key, entry);
          else this.#cache.delete(key);
          return entry;
        })
        .finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const entry = await pending;
    if (entry.failure) throw entry.failure;
    return { token: entry.token!, fromCache: false };
  }

  async #exchange(policy: SubgraphTokenPolicy, grant: ExchangeGrant, form: Record<string, string>, notAfter: number): Promise<CacheEntry> {
    const exchange = policy.exchange!;
    this.stats.exchanges++;
    this.#observer?.exchange(policy.subgraph, grant);
    try {
      if (!policy.clientAuthentication) throw new TokenExchangeError(policy.subgraph, 'no client authentication configured');
      const issued = await requestToken(exchange.tokenEndpoint, policy.clientAuthentication, form, {
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
        now: this.#now(),
        expectTokenExchange: form['grant_type'] === 'urn:ietf:params:oauth:grant-type:token-exchange',
      });
      const now = this.#now();
      // Renew ahead of expiry, but a short-lived token is still reused for half its life.
      const margin = Math.min(this.#marginMs, issued.expiresInMs / 2);
      // Never reuse past the caller's own token: its holder may have lost access by then.
      return { token: issued.accessToken, expiresAt: Math.min(now + issued.expiresInMs - margin, notAfter) };
    } catch (error) {
      this.stats.failures++;
      // Remembered briefly under this key only: a caller who steps up after a claims challenge
      // comes back with a new token, hence a new key, and is not held back by this entry.
      return { failure: this.#toError(policy, error), expiresAt: this.#now() + this.#failureTtlMs };
    }
  }

  #toError(policy: SubgraphTokenPolicy, error: unknown): TokenExchangeError {
    const subgraph = policy.subgraph;
    if (error instanceof TokenExchangeError) {
      this.#fail({ subgraph, reason: 'unavailable', detail: 'no client authentication' });
      return error;
    }
    if (error instanceof StsError) {
      const challenge = error.claims && (error.error === 'interaction_required' || error.error === 'invalid_grant') ? error.claims : undefined;
      this.#fail({
        subgraph,
        reason: challenge ? 'claims-challenge' : 'refused',
        status: error.status,
        ...(error.error ? { error: error.error } : {}),
        ...(error.stsCode ? { stsCode: error.stsCode } : {}),
      });
      return new TokenExchangeError(subgraph, error.error ? `the token service refused (${error.error})` : `the token service answered ${error.status}`, {
        stsError: error.error,
        claims: challenge,
      });
    }
    if (error instanceof StsResponseError || error instanceof BodyTooLargeError) {
      this.#fail({ subgraph, reason: 'invalid-response', detail: error.message });
      return new TokenExchangeError(subgraph, 'the token service gave no usable token', { cause: error });
    }
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    // Only the error's name: a network error's message may carry the URL, a body error part of the body.
    this.#fail({ subgraph, reason: timedOut ? 'timeout' : 'unavailable', detail: error instanceof Error ? error.name : 'error' });
    return new TokenExchangeError(subgraph, timedOut ? 'the token service timed out' : 'the token service is unavailable', { cause: error });
  }

  #fail(event: ExchangeFailureEvent): void {
    this.#observer?.failure(event.subgraph, event.reason);
    this.#onFailure?.(event);
  }
}


function cacheKey(parts: readonly string[]): string {
  // Lengths make the key unambiguous whatever characters the parts contain.
  return parts.map((p) => `${p.length}:${p}`).join('|');
}

function positive(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`TokenExchanger: options.${option} must be a positive number`);
  return value;
}

function nonNegative(value: number, option: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`TokenExchanger: options.${option} must be a number >= 0`);
  return value;
}
