import type { AuthenticatedClient } from './client-authentication.js';
import { checkConditionalAccess } from './conditional-access.js';
import type { DevApp } from './demo-directory.js';
import { entraErrors } from './entra-errors.js';
import type { FormParameters } from './form-body.js';
import { optionalParameter, requiredParameter } from './form-body.js';
import { resourceTokenVersion, tokenResponseBody } from './grant-context.js';
import type { GrantContext, TokenResponseBody } from './grant-context.js';
import { grantDelegatedScopes, parseTokenExchangeScopes, requireExposedScopes, resolveResource } from './scope-request.js';
import { verifySubjectToken } from './subject-token.js';
import type { VerifiedSubjectToken } from './subject-token.js';
import type { TenantDirectory } from './tenant-directory.js';

/** RFC 8693 token type identifier of an OAuth access token: the only type this provider issues or takes. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * OAuth 2.0 Token Exchange (RFC 8693) for an `audience`: a person's token becomes the same
 * person's token for the audience, narrowed like On-Behalf-Of; an app-only token becomes a
 * token of the same app for the audience, its roles narrowed to the audience's permissions.
 * Entra itself does not implement RFC 8693; the shapes follow the RFC, the errors Entra's style.
 */
export async function tokenExchangeGrant(
  form: FormParameters,
  client: AuthenticatedClient,
  context: GrantContext,
): Promise<TokenResponseBody> {
  const subjectToken = requiredParameter(form, 'subject_token');
  const subjectTokenType = requiredParameter(form, 'subject_token_type');
  if (subjectTokenType !== ACCESS_TOKEN_TYPE) {
    throw entraErrors.malformedRequest(`'subject_token_type' must be '${ACCESS_TOKEN_TYPE}'.`);
  }
  const requestedType = optionalParameter(form, 'requested_token_type');
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) {
    throw entraErrors.malformedRequest(`'requested_token_type' must be '${ACCESS_TOKEN_TYPE}'; no other token type is issued.`);
  }
  if (form.has('actor_token')) throw entraErrors.malformedRequest("'actor_token' is not supported.");
  const audience = requiredParameter(form, 'audience');
  const resource = resolveResource(audience, context.directory, context.tenantId, 'invalid_target');
  const resourceParameter = optionalParameter(form, 'resource');
  if (resourceParameter !== undefined && context.directory.resource(resourceParameter) !== resource) {
    throw entraErrors.resourceNotFound(resourceParameter, context.tenantId, 'invalid_target');
  }
  const named = parseTokenExchangeScopes(optionalParameter(form, 'scope'), resource, context.directory);

  const subject = await verifySubjectToken(subjectToken, {
    keys: context.keys,
    issuers: [context.urls.issuer, context.urls.v1Issuer],
    tenantId: context.tenantId,
    audiences: [client.app.clientId, ...(client.app.appIdUri === undefined ? [] : [client.app.appIdUri])],
    now: context.now,
    error: 'invalid_request',
    parameter: 'subject_token',
  });
  const extraClaims = checkConditionalAccess(subject, form, resource);
  const version = resourceTokenVersion(resource);

  if (subject.kind === 'user') {
    const scopes = grantDelegatedScopes(subject.scopes, resource, named && requireExposedScopes(named, resource));
    const issued = await context.tokens.issue({
      version,
      audience,
      clientId: client.app.clientId,
      clientAuthentication: client.authenticationClass,
      subject: { kind: 'user', objectId: subject.objectId, name: subject.name, username: subject.username },
      scopes,
      extraClaims,
    });
    return { ...tokenResponseBody(issued, scopes.join(' ')), issued_token_type: ACCESS_TOKEN_TYPE };
  }

  const roles = grantAppRoles(subject, resource, named, context.directory);
  const issued = await context.tokens.issue({
    version,
    audience,
    clientId: subject.clientId ?? client.app.clientId,
    clientAuthentication: subject.clientAuthentication,
    subject: { kind: 'app', objectId: subject.objectId },
    roles,
    extraClaims,
  });
  return { ...tokenResponseBody(issued, roles.join(' ')), issued_token_type: ACCESS_TOKEN_TYPE };
}

/**
 * An app's roles for the audience: the subject's roles that the audience knows (its exposed
 * permissions and the roles any client was granted on it), narrowed to the requested scope.
 */
function grantAppRoles(
  subject: VerifiedSubjectToken,
  resource: DevApp,
  named: readonly string[] | undefined,
  directory: TenantDirectory,
): string[] {
  const known = new Set(resource.exposedScopes ?? []);
  for (const app of directory.apps) {
    for (const role of app.appRoleGrants?.[resource.clientId] ?? []) known.add(role);
  }
  const held = [...new Set(subject.roles.filter((role) => known.has(role)))];
  if (named === undefined) return held;
  const granted = named.filter((role) => held.includes(role));
  if (granted.length === 0) {
    throw entraErrors.invalidScope(70011, "The provided value for the input parameter 'scope' is not valid: the subject token holds none of the requested roles.");
  }
  return granted;
}
