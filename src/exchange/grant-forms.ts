import type { SubgraphTokenPolicy } from './exchange-settings.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Entra's way of asking for "all permissions of this resource". */
export function defaultScope(audience: string): string {
  return `${audience.replace(/\/$/, '')}/.default`;
}

/** Entra On-Behalf-Of: the caller's token as `assertion`, a scope of the subgraph's audience. */
export function oboForm(policy: SubgraphTokenPolicy, subjectToken: string): Record<string, string> {
  return {
    grant_type: JWT_BEARER,
    requested_token_use: 'on_behalf_of',
    assertion: subjectToken,
    scope: policy.scope ?? defaultScope(policy.audience as string),
  };
}

/** RFC 8693 §2.1 token exchange request for the subgraph's audience. */
export function tokenExchangeForm(policy: SubgraphTokenPolicy, subjectToken: string): Record<string, string> {
  const form: Record<string, string> = {
    grant_type: TOKEN_EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
    audience: policy.audience as string,
  };
  if (policy.scope) form['scope'] = policy.scope;
  if (policy.exchange?.resource) form['resource'] = policy.exchange.resource;
  return form;
}

/** The gateway's own token for a subgraph's audience (RFC 6749 §4.4). */
export function clientCredentialsForm(policy: SubgraphTokenPolicy): Record<string, string> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (policy.exchange?.grant === 'token-exchange') {
    form['audience'] = policy.audience as string;
    if (policy.scope) form['scope'] = policy.scope;
  } else {
    // Entra client credentials accept only `<resource>/.default`.
    form['scope'] = defaultScope(policy.audience as string);
  }
  return form;
}
