import { importJWK } from 'jose';
import { readBoundedJson } from '../util/read-bounded.js';

/**
 * Runs `task` every `intervalMs` until the returned function is called. The default is an
 * unref'd `setInterval` (it never keeps the process alive); tests pass one they drive by hand.
 */
export type Every = (intervalMs: number, task: () => void) => () => void;

/** A failed load of an issuer's keys (the keys in use stay until `maxStaleMs`). */
export interface KeysRefreshFailure {
  readonly issuer: string;
  /** Why, without any response body: e.g. "GET https://.../keys answered 503". */
  readonly reason: string;
  /** True when no usable keys are left for this issuer (never loaded, or past `maxStaleMs`). */
  readonly keysUnavailable: boolean;
}

/** Options of one issuer's key set. */
export interface IssuerKeysOptions {
  /** The issuer as configured (may contain `{tenantid}`). */
  readonly issuer: string;
  /** JWKS address; default: read from the issuer's OpenID discovery document. */
  readonly jwksUri?: string | undefined;
  /** Default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Least time between two refreshes caused by unknown `kid`s. Default 30 s. */
  readonly cooldownMs?: number;
  /** Period of the background refresh started by `start()`. Default 1 h. */
  readonly refreshIntervalMs?: number;
  /** How long the last good keys keep serving while every refresh fails; then they are dropped. Default 24 h. */
  readonly maxStaleMs?: number;
  /** Timeout of each discovery or JWKS request. Default 5 s. */
  readonly timeoutMs?: number;
  /** Scheduler of the background refresh. Default: an unref'd `setInterval`. */
  readonly every?: Every;
  /** Told about every failed load. Default: nothing. */
  readonly onRefreshError?: (failure: KeysRefreshFailure) => void;
}

/** A signing key from the issuer's JWKS, usable for RS256 only. */
export interface IssuerKey {
  readonly key: CryptoKey;
  /**
   * The entry's `issuer` member (Entra's v2 key documents have one; in the multi-tenant
   * `common` document it is the `{tenantid}` template). A token signed by this key must carry
   * that issuer.
   */
  readonly issuer: string | undefined;
}

/** Largest discovery or JWKS document read (Entra's JWKS is a few KB). */
export const MAX_JWKS_BYTES = 256 * 1024;
/** Most entries a JWKS may have; a document with more is refused whole (Entra publishes a handful). */
export const MAX_JWKS_KEYS = 100;
const MAX_KID_LENGTH = 256;
const MIN_RSA_BITS = 2048;
// setInterval fires at once for delays past 2^31-1 ms; longer intervals are capped there.
const MAX_TIMER_MS = 2 ** 31 - 1;

const unrefInterval: Every = (intervalMs, task) => {
  const timer = setInterval(task, Math.min(intervalMs, MAX_TIMER_MS));
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The signing keys of one token issuer, fetched from its JWKS and held in memory, so that
 * verifying a token is a map lookup. Entra rolls its keys over without notice, so:
 *
 * - `start()` refreshes in the background every `refreshIntervalMs` (1 h);
 * - an unknown `kid` (a key rolled in since) refreshes at once, but at most once per
 *   `cooldownMs` (30 s), so a flood of made-up `kid`s cannot hammer the issuer;
 * - a failed refresh keeps the last good keys, for at most `maxStaleMs` (24 h) after they were
 *   fetched: past that they may have been revoked long ago, and are dropped (fail closed);
 * - a refresh that succeeds replaces the keys whole: a key the issuer stopped publishing is
 *   no longer accepted.
 *
 * Only RSA signing keys of at least 2048 bits are kept, each imported for RS256 alone: Entra's
 * JWKS entries carry no `alg`, and a key must never be usable with another algorithm. Entries
 * with another `kty`, `use`, `alg` or `key_ops` are ignored.
 *
 * @example
 * const keys = new IssuerKeys({ issuer: 'https://login.microsoftonline.com/<tid>/v2.0' });
 * await keys.refresh();
 * keys.start();
 * keys.get(kid)?.key; // a CryptoKey for RS256
 * keys.close();
 */
export class IssuerKeys {
  readonly issuer: string;
  #jwksUri: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #cooldownMs: number;
  readonly #refreshIntervalMs: number;
  readonly #maxStaleMs: number;
  readonly #timeoutMs: number;
  readonly #every: Every;
  readonly #onRefreshError: ((failure: KeysRefreshFailure) => void) | undefined;
  // Replaced whole by each successful load: an IssuerKey object is the same until then, which
  // lets the verifier's cache of verified tokens notice that a key changed or went away.
  #keys = new Map<string, IssuerKey>();
  /** When the keys in `#keys` were fetched. */
  #fetchedAt: number | undefined;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  #loadedOnce = false;
  #stopTimer: (() => void) | undefined;

  constructor(options: IssuerKeysOptions) {
    if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError('IssuerKeys: issuer must be a non-empty string');
    if (options.jwksUri !== undefined && !isHttpUrl(options.jwksUri)) throw new TypeError('IssuerKeys: jwksUri must be an http(s) URL');
    this.issuer = options.issuer;
    this.#jwksUri = options.jwksUri;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
    this.#cooldownMs = milliseconds(options.cooldownMs, 30_000, 'cooldownMs', 0);
    this.#refreshIntervalMs = milliseconds(options.refreshIntervalMs, 3_600_000, 'refreshIntervalMs', 1_000);
    this.#maxStaleMs = milliseconds(options.maxStaleMs, 86_400_000, 'maxStaleMs', 1_000);
    this.#timeoutMs = milliseconds(options.timeoutMs, 5_000, 'timeoutMs', 1);
    this.#every = options.every ?? unrefInterval;
    this.#onRefreshError = options.onRefreshError;
  }

  /** True once keys were loaded at least once (what readiness waits for). */
  get loaded(): boolean {
    return this.#loadedOnce;
  }

  /** True while there are keys not older than `maxStaleMs`. */
  get usable(): boolean {
    if (this.#fetchedAt === undefined) return false;
    if (this.#now() - this.#fetchedAt <= this.#maxStaleMs) return true;
    // Every refresh for maxStale has failed: these keys may have been revoked since. Drop them.
    this.#keys = new Map();
    this.#fetchedAt = undefined;
    return false;
  }

  /** The key published under `kid`, unless the keys are past `maxStaleMs`. */
  get(kid: string): IssuerKey | undefined {
    return this.usable ? this.#keys.get(kid) : undefined;
  }

  /** Loads (or reloads) the keys now; concurrent callers share one request. Rejects if it fails. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#load()
      .catch((error: unknown) => {
        this.#onRefreshError?.({ issuer: this.issuer, reason: error instanceof Error ? error.message : String(error), keysUnavailable: !this.usable });
        throw error;
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /**
   * Called for a `kid` we do not know: refreshes unless a refresh was attempted within the
   * cooldown (or joins the one in flight). Never throws: a failed refresh leaves the keys as they were.
   */
  async refreshForUnknownKid(): Promise<void> {
    if (this.#refreshing) return this.#refreshing.catch(() => undefined);
    if (this.#now() - this.#lastAttempt < this.#cooldownMs) return;
    await this.refresh().catch(() => undefined);
  }

  /** Starts the background refresh (once; idempotent). */
  start(): void {
    this.#stopTimer ??= this.#every(this.#refreshIntervalMs, () => {
      this.refresh().catch(() => undefined);
    });
  }

  /** Stops the background refresh. */
  close(): void {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
  }

  async #load(): Promise<void> {
    this.#lastAttempt = this.#now();
    const jwksUri = this.#jwksUri ?? (await this.#discoverJwksUri());
    const document = await this.#getJson(jwksUri);
    const entries = isRecord(document) ? document['keys'] : undefined;
    if (!Array.isArray(entries)) throw new Error(`JWKS of ${this.issuer} has no keys array`);
    if (entries.length > MAX_JWKS_KEYS) throw new Error(`JWKS of ${this.issuer} has more than ${MAX_JWKS_KEYS} keys`);
    const keys = new Map<string, IssuerKey>();
    for (const entry of entries) {
      const imported = await importSigningKey(entry);
      if (imported && !keys.has(imported.kid)) keys.set(imported.kid, { key: imported.key, issuer: imported.issuer });
    }
    // An empty or unusable document is a failed refresh, not "the issuer has no keys": keep the last good ones.
    if (keys.size === 0) throw new Error(`JWKS of ${this.issuer} has no usable RS256 keys`);
    this.#keys = keys;
    this.#fetchedAt = this.#now();
    this.#loadedOnce = true;
  }

  async #discoverJwksUri(): Promise<string> {
    const discovery = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const document = await this.#getJson(discovery);
    const jwksUri = isRecord(document) ? document['jwks_uri'] : undefined;
    if (typeof jwksUri !== 'string' || !isHttpUrl(jwksUri)) throw new Error(`discovery of ${this.issuer} has no http(s) jwks_uri`);
    this.#jwksUri = jwksUri;
    return jwksUri;
  }

  async #getJson(url: string): Promise<unknown> {
    const response = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`GET ${url} answered ${response.status}`);
    }
    try {
      return await readBoundedJson(response, MAX_JWKS_BYTES);
    } catch (error) {
      throw new Error(`GET ${url}: ${error instanceof SyntaxError ? 'not JSON' : error instanceof Error ? error.message : 'unreadable'}`);
    }
  }
}

/** One JWKS entry as an RS256 verification key, or undefined when it is not one. */
async function importSigningKey(entry: unknown): Promise<{ kid: string; key: CryptoKey; issuer: string | undefined } | undefined> {
  if (!isRecord(entry)) return undefined;
  const { kty, kid, use, alg, n, e } = entry;
  const keyOps = entry['key_ops'];
  if (kty !== 'RSA' || typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (alg !== undefined && alg !== 'RS256') return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return undefined;
  if (typeof n !== 'string' || typeof e !== 'string') return undefined;
  let key: CryptoKey;
  try {
    // Only n and e: nothing else in the entry (alg, key_ops, ext, x5c) shapes the imported key.
    key = (await importJWK({ kty: 'RSA', n, e }, 'RS256')) as CryptoKey;
  } catch {
    return undefined;
  }
  if ((key.algorithm as RsaHashedKeyAlgorithm).modulusLength < MIN_RSA_BITS) return undefined;
  const issuer = typeof entry['issuer'] === 'string' ? entry['issuer'] : undefined;
  return { kid, key, issuer };
}

function milliseconds(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`IssuerKeys: ${name} must be a number of milliseconds, at least ${min}`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
