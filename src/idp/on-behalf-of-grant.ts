import type { AuthenticatedClient } from './client-authentication.js';
import { checkConditionalAccess } from './conditional-access.js';
import { entraErrors } from './entra-errors.js';
import type { FormParameters } from './form-body.js';
import { requiredParameter } from './form-body.js';
import { resourceAudience, resourceTokenVersion, tokenResponseBody } from './grant-context.js';
import type { GrantContext, TokenResponseBody } from './grant-context.js';
import { grantDelegatedScopes, parseDelegatedScopes } from './scope-request.js';
import { verifySubjectToken } from './subject-token.js';

/**
 * Entra's On-Behalf-Of grant (`urn:ietf:params:oauth:grant-type:jwt-bearer` with
 * `requested_token_use=on_behalf_of`): a middle tier trades a person's token addressed to it
 * for a token of the same person for a downstream resource, with the person's delegated
 * permissions narrowed to what that resource exposes.
 */
export async function onBehalfOfGrant(
  form: FormParameters,
  client: AuthenticatedClient,
  context: GrantContext,
): Promise<TokenResponseBody> {
  const use = requiredParameter(form, 'requested_token_use');
  if (use !== 'on_behalf_of') {
    throw entraErrors.malformedRequest("'requested_token_use' must be 'on_behalf_of'.");
  }
  const assertion = requiredParameter(form, 'assertion');
  const request = parseDelegatedScopes(requiredParameter(form, 'scope'), context.directory, context.tenantId);

  const subject = await verifySubjectToken(assertion, {
    keys: context.keys,
    issuers: [context.urls.issuer, context.urls.v1Issuer],
    tenantId: context.tenantId,
    audiences: [client.app.clientId, ...(client.app.appIdUri === undefined ? [] : [client.app.appIdUri])],
    now: context.now,
    error: 'invalid_grant',
    parameter: 'assertion',
  });
  if (subject.kind !== 'user') {
    // Entra's InvalidAssertion: OBO acts for a person; an app-only token has no one to act for.
    throw entraErrors.invalidAssertion(
      'invalid_grant',
      50013,
      'Assertion failed validation. [Reason - The assertion is not a user token: On-Behalf-Of needs a delegated token of a person (with scp), not an app-only token.]',
    );
  }
  const extraClaims = checkConditionalAccess(subject, form, request.resource);
  const scopes = grantDelegatedScopes(subject.scopes, request.resource, request.named);
  const version = resourceTokenVersion(request.resource);
  const issued = await context.tokens.issue({
    version,
    audience: resourceAudience(request.resource, version),
    clientId: client.app.clientId,
    clientAuthentication: client.authenticationClass,
    subject: {
      kind: 'user',
      objectId: subject.objectId,
      ...(subject.name === undefined ? {} : { name: subject.name }),
      ...(subject.username === undefined ? {} : { username: subject.username }),
    },
    scopes,
    extraClaims,
  });
  return tokenResponseBody(issued, scopes.map((scope) => `${request.identifier}/${scope}`).join(' '));
}
