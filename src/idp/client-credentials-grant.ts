import type { AuthenticatedClient } from './client-authentication.js';
import type { FormParameters } from './form-body.js';
import { requiredParameter } from './form-body.js';
import { resourceAudience, resourceTokenVersion, tokenResponseBody } from './grant-context.js';
import type { GrantContext, TokenResponseBody } from './grant-context.js';
import { servicePrincipalObjectId } from './identifiers.js';
import { parseClientCredentialsScope } from './scope-request.js';

/**
 * `client_credentials` (RFC 6749 §4.4): an app-only token for the client itself, carrying the
 * app roles the client was granted on the resource.
 */
export async function clientCredentialsGrant(
  form: FormParameters,
  client: AuthenticatedClient,
  context: GrantContext,
): Promise<TokenResponseBody> {
  const request = parseClientCredentialsScope(requiredParameter(form, 'scope'), context.directory, context.tenantId);
  const version = resourceTokenVersion(request.resource);
  const issued = await context.tokens.issue({
    version,
    audience: resourceAudience(request.resource, version),
    clientId: client.app.clientId,
    clientAuthentication: client.authenticationClass,
    subject: { kind: 'app', objectId: servicePrincipalObjectId(context.tenantId, client.app.clientId) },
    roles: client.app.appRoleGrants?.[request.resource.clientId] ?? [],
  });
  return tokenResponseBody(issued, `${request.identifier}/.default`);
}
