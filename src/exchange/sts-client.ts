import type { ExchangeConfig } from '../config/config-schema.js';
import { readBoundedText } from '../util/read-bounded.js';

/** A successful token response, reduced to what the gateway uses. */
export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in milliseconds, from `expires_in`. */
  readonly expiresInMs: number;
}

/** An STS error response (RFC 6749 §5.2), reduced to what may be acted on. */
export class StsError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    /** Conditional-access claims challenge (Entra `claims` member), when present. */
    readonly claims: string | undefined,
    /** AADSTS code from the description, for logs; the description itself is not kept. */
    readonly stsCode: string | undefined,
  ) {
    super(error ? `STS answered ${status} ${error}` : `STS answered ${status}`);
    this.name = 'StsError';
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * POSTs one token request (form-encoded) with the client's authentication and returns the
 * issued token. Throws `StsError` for an OAuth error answer and a plain Error for a broken
 * one (timeout, not JSON, missing fields); neither ever contains a token or secret.
 */
export async function requestToken(
  exchange: ExchangeConfig,
  form: Record<string, string>,
  options: { fetch: typeof fetch; timeoutMs: number; expectTokenExchange?: boolean },
): Promise<IssuedToken> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (exchange.clientAuth === 'private_key_jwt' || exchange.clientSecret === undefined) {
    throw new Error('private_key_jwt client authentication is not available yet');
  }
  if (exchange.clientAuth === 'client_secret_basic') {
    // RFC 6749 §2.3.1: id and secret are form-encoded before being joined.
    const credentials = `${formEncode(exchange.clientId)}:${formEncode(exchange.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    body.set('client_id', exchange.clientId);
    body.set('client_secret', exchange.clientSecret);
  }
  const response = await options.fetch(exchange.tokenEndpoint, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const text = await readBoundedText(response, MAX_RESPONSE_BYTES);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
    if (json === null || typeof json !== 'object') throw new Error('not an object');
  } catch {
    if (!response.ok) throw new StsError(response.status, undefined, undefined, undefined);
    throw new Error(`STS answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok || typeof json['error'] === 'string') {
    const description = typeof json['error_description'] === 'string' ? json['error_description'] : '';
    throw new StsError(
      response.status,
      typeof json['error'] === 'string' ? json['error'].slice(0, 64) : undefined,
      typeof json['claims'] === 'string' ? json['claims'] : undefined,
      /AADSTS\d+/.exec(description)?.[0],
    );
  }
  const accessToken = json['access_token'];
  const expiresIn = Number(json['expires_in']);
  if (typeof accessToken !== 'string' || accessToken.length === 0) throw new Error('STS response has no access_token');
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw new Error('STS response has no valid expires_in');
  if (typeof json['token_type'] !== 'string' || !/^(bearer|n_a)$/i.test(json['token_type'])) {
    throw new Error('STS response has an unsupported token_type');
  }
  if (options.expectTokenExchange && json['issued_token_type'] !== ACCESS_TOKEN_TYPE) {
    throw new Error('STS response has an unexpected issued_token_type');
  }
  return { accessToken, expiresInMs: expiresIn * 1000 };
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
