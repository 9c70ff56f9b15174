/**
 * Every failure meshgate reports on purpose is a `MeshgateError` with a stable string `code`.
 * Codes in `PUBLIC_ERROR_CODES` may reach callers (as GraphQL `extensions.code` or an HTTP
 * error); anything else is masked and only logged.
 *
 * @example
 * try { loadConfig(path) } catch (e) { if (e instanceof ConfigError) console.error(e.message) }
 */
export type MeshgateErrorCode =
  | 'UNAUTHENTICATED'
  | 'INSUFFICIENT_CLAIMS'
  | 'UNAUTHORIZED_FIELD_OR_TYPE'
  | 'TOKEN_EXCHANGE_FAILED'
  | 'SUBGRAPH_UNAVAILABLE'
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'SERVICE_UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'COMPOSITION_FAILED'
  | 'AUTHORIZATION_RULE_INVALID';

export const PUBLIC_ERROR_CODES: ReadonlySet<MeshgateErrorCode> = new Set<MeshgateErrorCode>([
  'UNAUTHENTICATED',
  'INSUFFICIENT_CLAIMS',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'TOKEN_EXCHANGE_FAILED',
  'SUBGRAPH_UNAVAILABLE',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'SERVICE_UNAVAILABLE',
]);

export class MeshgateError extends Error {
  readonly code: MeshgateErrorCode;
  constructor(code: MeshgateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration file or option is wrong; `message` is one line naming the key. */
export class ConfigError extends MeshgateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** The subgraphs' schemas do not stitch into one graph. */
export class CompositionError extends MeshgateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('COMPOSITION_FAILED', message, options);
  }
}

/** A subgraph declares an authorization rule meshgate cannot enforce: fail closed. */
export class AuthorizationRuleError extends MeshgateError {
  constructor(message: string) {
    super('AUTHORIZATION_RULE_INVALID', message);
  }
}
