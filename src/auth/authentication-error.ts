import { MeshgateError } from '../errors.js';

/** RFC 6750 error codes that go into `WWW-Authenticate`. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token';

/**
 * The request did not prove who is calling. `description` is a short fixed phrase ("token
 * expired"): never a claim value, never the token.
 */
export class AuthenticationError extends MeshgateError {
  readonly bearerError: BearerErrorCode | undefined;
  readonly status: number;
  constructor(bearerError: BearerErrorCode | undefined, description: string, status = 401) {
    super('UNAUTHENTICATED', description);
    this.bearerError = bearerError;
    this.status = status;
  }

  /** The `WWW-Authenticate` challenge for this failure. */
  challenge(realm = 'meshgate'): string {
    if (!this.bearerError) return `Bearer realm="${realm}"`;
    return `Bearer realm="${realm}", error="${this.bearerError}", error_description="${this.message}"`;
  }
}
