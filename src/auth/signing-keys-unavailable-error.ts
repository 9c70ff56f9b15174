import { MeshgateError } from '../errors.js';

/**
 * The token's signing key cannot be looked up because an issuer has no usable keys: they were
 * never loaded, or every refresh failed for longer than `maxStale` and they were dropped. The
 * token is neither accepted nor called invalid: the caller is answered 503 with `Retry-After`
 * (as a subgraph answers when its keys are unavailable), not 401, so that a client retries
 * rather than throwing away a good token.
 */
export class SigningKeysUnavailableError extends MeshgateError {
  /** When a retry may succeed: the unknown-`kid` refresh cooldown. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    // Public code of the answer: the same one readiness uses.
    super('SERVICE_UNAVAILABLE', 'signing keys unavailable');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
