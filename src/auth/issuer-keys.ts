import { importJWK, type JWK } from 'jose';
import { readBoundedJson } from '../util/read-bounded.js';

/** Options of one issuer's key set. */
export interface IssuerKeysOptions {
  /** The issuer as configured (may contain `{tenantid}`). */
  readonly issuer: string;
  /** JWKS address; default: read from the issuer's OpenID discovery document. */
  readonly jwksUri?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Least time between two refreshes caused by unknown `kid`s. Default 30 s. */
  readonly cooldownMs?: number;
  /** Timeout of each discovery or JWKS request. Default 5 s. */
  readonly timeoutMs?: number;
}

const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_KEYS = 100;

/**
 * The signing keys of one token issuer, fetched from its JWKS and held in memory, so that
 * verifying a token is a map lookup. An unknown `kid` (key rotation) triggers one refresh,
 * at most once per cooldown, so a flood of made-up `kid`s cannot hammer the issuer. A failed
 * refresh keeps the last good keys.
 *
 * Only RSA signing keys are kept, and each is imported for RS256 alone: Entra's JWKS entries
 * carry no `alg`, and a key must never be usable with another algorithm.
 */
export class IssuerKeys {
  readonly issuer: string;
  #jwksUri: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #cooldownMs: number;
  readonly #timeoutMs: number;
  #keys = new Map<string, CryptoKey>();
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  #loadedOnce = false;

  constructor(options: IssuerKeysOptions) {
    this.issuer = options.issuer;
    this.#jwksUri = options.jwksUri;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** True once keys were loaded at least once. */
  get loaded(): boolean {
    return this.#loadedOnce;
  }

  get(kid: string): CryptoKey | undefined {
    return this.#keys.get(kid);
  }

  /** Loads (or reloads) the keys now; concurrent callers share one request. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * Called for a `kid` we do not know: refreshes unless a refresh happened within the
   * cooldown. Never throws: a failed refresh leaves the previous keys in place.
   */
  async refreshForUnknownKid(): Promise<void> {
    if (this.#refreshing) return this.#refreshing.catch(() => undefined);
    if (this.#now() - this.#lastAttempt < this.#cooldownMs) return;
    await this.refresh().catch(() => undefined);
  }

  async #load(): Promise<void> {
    this.#lastAttempt = this.#now();
    const jwksUri = this.#jwksUri ?? (await this.#discoverJwksUri());
    const document = await this.#getJson(jwksUri);
    const entries = (document as { keys?: unknown }).keys;
    if (!Array.isArray(entries)) throw new Error(`JWKS of ${this.issuer} has no keys array`);
    const keys = new Map<string, CryptoKey>();
    for (const jwk of entries.slice(0, MAX_KEYS) as JWK[]) {
      if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use && jwk.use !== 'sig')) continue;
      if (jwk.alg && jwk.alg !== 'RS256') continue;
      const { kty, n, e } = jwk;
      keys.set(jwk.kid, (await importJWK({ kty, n, e }, 'RS256')) as CryptoKey);
    }
    if (keys.size === 0) throw new Error(`JWKS of ${this.issuer} has no usable RS256 keys`);
    this.#keys = keys;
    this.#loadedOnce = true;
  }

  async #discoverJwksUri(): Promise<string> {
    const discovery = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const document = (await this.#getJson(discovery)) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== 'string') throw new Error(`discovery of ${this.issuer} has no jwks_uri`);
    this.#jwksUri = document.jwks_uri;
    return document.jwks_uri;
  }

  async #getJson(url: string): Promise<unknown> {
    const response = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`GET ${url} answered ${response.status}`);
    }
    return readBoundedJson(response, MAX_DOCUMENT_BYTES);
  }
}
