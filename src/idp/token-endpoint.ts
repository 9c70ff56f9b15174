import type { IncomingMessage } from 'node:http';
import { authenticateClient } from './client-authentication.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import { SUPPORTED_GRANT_TYPES } from './discovery.js';
import { entraErrors } from './entra-errors.js';
import { mediaType, parseFormBody, readBoundedBody, requiredParameter } from './form-body.js';
import type { GrantContext, TokenResponseBody } from './grant-context.js';
import { onBehalfOfGrant } from './on-behalf-of-grant.js';
import { tokenExchangeGrant } from './token-exchange-grant.js';

/** Requests per `grant_type`; missing and unknown grant types are counted as `unsupported`. */
export type TokenRequestCounts = Record<string, number>;

/**
 * `POST /{tenant}/oauth2/v2.0/token`: reads the form, authenticates the client, and runs the
 * grant. Throws an `EntraError` for every refusal.
 */
export async function handleTokenRequest(
  request: IncomingMessage,
  context: GrantContext,
  counts: TokenRequestCounts,
): Promise<TokenResponseBody> {
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw entraErrors.malformedRequest("The token endpoint accepts only 'application/x-www-form-urlencoded' bodies.");
  }
  const form = parseFormBody(await readBoundedBody(request));
  const grantType = form.get('grant_type') ?? '';
  const supported = (SUPPORTED_GRANT_TYPES as readonly string[]).includes(grantType);
  const countKey = supported ? grantType : 'unsupported';
  counts[countKey] = (counts[countKey] ?? 0) + 1;

  requiredParameter(form, 'grant_type');
  if (!supported) throw entraErrors.unsupportedGrantType(grantType);

  const client = await authenticateClient(form, request.headers.authorization, {
    directory: context.directory,
    tenantId: context.tenantId,
    tokenEndpoint: context.urls.tokenEndpoint,
    now: context.now,
  });
  switch (grantType) {
    case 'client_credentials':
      return clientCredentialsGrant(form, client, context);
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return onBehalfOfGrant(form, client, context);
    default:
      return tokenExchangeGrant(form, client, context);
  }
}
