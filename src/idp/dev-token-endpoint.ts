import type { IncomingMessage } from 'node:http';
import { entraErrors } from './entra-errors.js';
import { mediaType, parseJsonObjectBody, readBoundedBody } from './form-body.js';
import type { MintOptions } from './mint.js';
import { DevIdentityProviderOptionError } from './option-error.js';

/** What `POST /{tenant}/_dev/token` answers. */
export interface DevTokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

// Crafting arbitrary claims stays a test-only power of `mint()`; over HTTP a token is always well-formed.
const DEV_TOKEN_FIELDS = new Set(['kind', 'user', 'clientId', 'scopes', 'roles', 'audience', 'version', 'lifetimeSeconds']);

/**
 * `POST /{tenant}/_dev/token` (dev only): `{ kind?, user?, clientId?, scopes?, roles?, audience?,
 * version?, lifetimeSeconds? }` as JSON, the same meaning as `mint()`. Used by `npx meshgate token`.
 */
export async function handleDevTokenRequest(
  request: IncomingMessage,
  mint: (options: MintOptions) => Promise<{ accessToken: string; expiresIn: number }>,
): Promise<DevTokenResponseBody> {
  if (mediaType(request) !== 'application/json') {
    throw entraErrors.malformedRequest("The dev token endpoint accepts only 'application/json' bodies.");
  }
  const body = parseJsonObjectBody(await readBoundedBody(request));
  const unknown = Object.keys(body).filter((name) => !DEV_TOKEN_FIELDS.has(name));
  if (unknown.length > 0) {
    throw entraErrors.malformedRequest(
      `Unknown field(s) ${unknown.map((name) => `'${name.slice(0, 64)}'`).join(', ')}; allowed: ${[...DEV_TOKEN_FIELDS].join(', ')}.`,
    );
  }
  if (body.user !== undefined && typeof body.user !== 'string') {
    throw entraErrors.malformedRequest("'user' must be the oid or preferredUsername of a directory user.");
  }
  try {
    const { accessToken, expiresIn } = await mint(body as MintOptions);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  } catch (error) {
    if (error instanceof DevIdentityProviderOptionError) throw entraErrors.malformedRequest(`${error.message}.`);
    throw error;
  }
}
