import { randomGuid } from './identifiers.js';

/**
 * Errors of the dev identity provider, answered with bodies shaped like Entra's
 * (`error`, `error_description` starting with the AADSTS code, `error_codes`, `timestamp`,
 * `trace_id`, `correlation_id`, and `claims` / `suberror` when relevant), so that clients
 * written against Entra parse them as they would in production.
 *
 * Messages never contain a submitted token, secret or assertion.
 */

export type EntraErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'invalid_target'
  | 'interaction_required'
  | 'invalid_tenant'
  | 'not_found'
  | 'method_not_allowed'
  | 'server_error';

export interface EntraErrorOptions {
  /** AADSTS number; absent for plain HTTP errors (404, 405) that Entra answers without one. */
  readonly aadsts?: number;
  readonly claims?: string;
  readonly suberror?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class EntraError extends Error {
  override readonly name = 'EntraError';
  readonly aadsts: number | undefined;
  readonly claims: string | undefined;
  readonly suberror: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly error: EntraErrorName,
    readonly description: string,
    options: EntraErrorOptions = {},
  ) {
    super(options.aadsts === undefined ? description : `AADSTS${options.aadsts}: ${description}`);
    this.aadsts = options.aadsts;
    this.claims = options.claims;
    this.suberror = options.suberror;
    this.headers = options.headers ?? {};
  }
}

/** What an error answer carries, as Entra's v2 endpoint writes it. */
export interface EntraErrorBody {
  error: EntraErrorName;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri?: string;
  claims?: string;
  suberror?: string;
}

/**
 * The body for `error`. `correlationId` is the caller's `client-request-id` when it sent a GUID
 * (Entra echoes it, and MSAL logs it), otherwise a new GUID.
 */
export function entraErrorBody(error: EntraError, nowMs: number, correlationId?: string): EntraErrorBody {
  const timestamp = entraTimestamp(nowMs);
  const traceId = randomGuid();
  const correlation = correlationId ?? randomGuid();
  const body: EntraErrorBody = {
    error: error.error,
    error_description:
      `${error.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: error.aadsts === undefined ? [] : [error.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
  };
  if (error.aadsts !== undefined) body.error_uri = `https://login.microsoftonline.com/error?code=${error.aadsts}`;
  if (error.suberror !== undefined) body.suberror = error.suberror;
  if (error.claims !== undefined) body.claims = error.claims;
  return body;
}

/** Entra's timestamp format: `2024-05-01 12:34:56Z`. */
function entraTimestamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Caller-supplied text quoted in a message: bounded and printable, never a credential. */
export function quote(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 100 ? `${printable.slice(0, 100)}…` : printable;
}

// Each failure the provider answers, with Entra's code and wording where Entra has one.

export const entraErrors = {
  tenantNotFound: (tenant: string) =>
    new EntraError(
      400,
      'invalid_tenant',
      `Tenant '${quote(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      { aadsts: 90002 },
    ),
  notFound: () => new EntraError(404, 'not_found', 'The requested resource does not exist.'),
  methodNotAllowed: (allowed: string, received: string) =>
    allowed === 'POST'
      ? new EntraError(
          405,
          'method_not_allowed',
          `The endpoint only accepts POST requests. Received a ${quote(received)} request.`,
          { aadsts: 900561, headers: { allow: allowed } },
        )
      : new EntraError(405, 'method_not_allowed', `The endpoint only accepts ${allowed} requests.`, {
          headers: { allow: allowed },
        }),
  missingParameter: (name: string) =>
    new EntraError(400, 'invalid_request', `The request body must contain the following parameter: '${name}'.`, {
      aadsts: 900144,
    }),
  malformedRequest: (reason: string) =>
    new EntraError(400, 'invalid_request', `Invalid request. Request is malformed or invalid. ${reason}`, {
      aadsts: 9002313,
    }),
  bodyTooLarge: (limitBytes: number) =>
    new EntraError(413, 'invalid_request', `The request body is larger than ${limitBytes} bytes.`, {
      aadsts: 9002313,
    }),
  unsupportedGrantType: (grantType: string) =>
    new EntraError(400, 'unsupported_grant_type', `The app requested an unsupported grant type '${quote(grantType)}'.`, {
      aadsts: 70003,
    }),
  unknownClient: (clientId: string, tenantId: string) =>
    new EntraError(
      401,
      'invalid_client',
      `Application with identifier '${quote(clientId)}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      { aadsts: 700016 },
    ),
  invalidClientSecret: (clientId: string) =>
    new EntraError(
      401,
      'invalid_client',
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      { aadsts: 7000215 },
    ),
  clientCredentialRequired: () =>
    new EntraError(
      401,
      'invalid_client',
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      { aadsts: 7000218 },
    ),
  invalidClientAssertion: (aadsts: number, description: string) =>
    new EntraError(401, 'invalid_client', description, { aadsts }),
  invalidScope: (aadsts: number, description: string) => new EntraError(400, 'invalid_scope', description, { aadsts }),
  resourceNotFound: (resource: string, tenantId: string, error: 'invalid_resource' | 'invalid_target') =>
    new EntraError(
      400,
      error,
      `The resource principal named ${quote(resource)} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      { aadsts: 500011 },
    ),
  invalidAssertion: (error: 'invalid_grant' | 'invalid_request', aadsts: number, description: string) =>
    new EntraError(400, error, description, { aadsts }),
  multiFactorRequired: (resourceName: string, claims: string) =>
    new EntraError(
      400,
      'interaction_required',
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resourceName}'.`,
      { aadsts: 50076, claims },
    ),
  serverError: () =>
    new EntraError(500, 'server_error', 'The dev identity provider failed to answer the request.'),
} as const;
