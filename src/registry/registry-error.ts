import { MeshgateError } from '../errors.js';
import type { SchemaChange } from './schema-changes.js';

/** What the admin API answers for each failure, and with which HTTP status. */
export const ADMIN_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REGISTRATION_REFUSED: 422,
  STORE_UNAVAILABLE: 503,
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERROR_STATUS;

/**
 * A registration (or another admin request) refused on purpose: the message and `reasons` are
 * written for the data-product owner who sent it and never carry a token or a secret.
 *
 * @example
 * throw new RegistryError('CONFLICT', 'subgraph "orders" is defined in the config file');
 */
export class RegistryError extends MeshgateError {
  readonly adminCode: AdminErrorCode;
  readonly status: number;
  /** Every reason for the refusal (the message is the first). */
  readonly reasons: readonly string[];
  /** Schema and authorization-rule changes behind a refusal, when there are some. */
  readonly changes: readonly SchemaChange[] | undefined;
  constructor(adminCode: AdminErrorCode, message: string, options: { reasons?: readonly string[]; changes?: readonly SchemaChange[]; cause?: unknown } = {}) {
    super(adminCode === 'REGISTRATION_REFUSED' ? 'COMPOSITION_FAILED' : 'BAD_REQUEST', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.adminCode = adminCode;
    this.status = ADMIN_ERROR_STATUS[adminCode];
    this.reasons = options.reasons ?? [message];
    this.changes = options.changes;
  }
}

/**
 * The registry store on disk cannot be used (damaged with no good copy, unreadable, not
 * writable). At start this stops the gateway with this one-line message, rather than serving
 * with an empty registry.
 */
export class RegistryStoreError extends MeshgateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}
