import type { DevApp } from './demo-directory.js';
import { entraErrors } from './entra-errors.js';
import type { FormParameters } from './form-body.js';
import type { VerifiedSubjectToken } from './subject-token.js';

/**
 * A stand-in for Entra's conditional access, so that tests can drive the claims challenge:
 * a subject token carrying `mg_require_mfa: true` is refused with `interaction_required` and a
 * `claims` challenge asking for the `c1` authentication context, until the client sends a
 * `claims` parameter that asks for `acrs` (as a client does after the user stepped up).
 */

/** The challenge, exactly as Entra words an authentication-context requirement. */
export const MFA_CLAIMS_CHALLENGE = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';

/** Claims to add to the new token: `acrs` once the challenge was answered. */
export function checkConditionalAccess(
  subject: VerifiedSubjectToken,
  form: FormParameters,
  resource: DevApp,
): Record<string, unknown> {
  const answered = (form.get('claims') ?? '').includes('acrs');
  if (subject.requiresMfa && !answered) {
    throw entraErrors.multiFactorRequired(resource.appIdUri ?? resource.clientId, MFA_CLAIMS_CHALLENGE);
  }
  return answered ? { acrs: ['c1'] } : {};
}
