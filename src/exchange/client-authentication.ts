import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ExchangeConfig } from '../config/config-schema.js';
import { ConfigError } from '../errors.js';

type ClientAssertionConfig = NonNullable<ExchangeConfig['clientAssertion']>;

/**
 * How the gateway proves who it is to a token service (RFC 6749 §2.3, RFC 7523 §2.2). Built
 * once per exchange configuration, when the gateway is constructed: a broken key stops the
 * start with an error naming the option, not the first request.
 */
export interface ClientAuthentication {
  readonly method: ExchangeConfig['clientAuth'];
  /** Adds the credentials to one token request (a fresh assertion each time for private_key_jwt). */
  apply(request: { body: URLSearchParams; headers: Record<string, string>; tokenEndpoint: string; now: number }): Promise<void>;
}

const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Lifetime of a client assertion: long enough for clock skew, short enough that a leaked one soon is worthless. */
const ASSERTION_LIFETIME_SECONDS = 300;

// One imported key per `clientAssertion` block, however many subgraphs share it.
const keys = new WeakMap<ClientAssertionConfig, KeyObject>();

/**
 * The client authentication of one (merged) exchange configuration. `option` is the path of
 * that configuration in the file (`exchange`, `subgraphs[orders].exchange`), for error messages.
 *
 * @example
 * const auth = createClientAuthentication(config.exchange, 'exchange');
 */
export function createClientAuthentication(exchange: ExchangeConfig, option: string): ClientAuthentication {
  const { clientId } = exchange;
  if (exchange.clientAuth === 'private_key_jwt') {
    const settings = exchange.clientAssertion;
    if (!settings) throw new ConfigError(`config: ${option}.clientAssertion: is required when clientAuth is "private_key_jwt"`);
    const key = importKey(settings, `${option}.clientAssertion`);
    const header = {
      alg: settings.algorithm,
      typ: 'JWT',
      ...(settings.keyId ? { kid: settings.keyId } : {}),
      ...(settings.thumbprint ? { x5t: settings.thumbprint } : {}),
      ...(settings.thumbprintSha256 ? { 'x5t#S256': settings.thumbprintSha256 } : {}),
    };
    return {
      method: 'private_key_jwt',
      async apply({ body, tokenEndpoint, now }) {
        const seconds = Math.floor(now / 1000);
        // RFC 7523 §3: iss = sub = the client, aud = the token endpoint, a unique jti, a short exp.
        const assertion = await new SignJWT({})
          .setProtectedHeader(header)
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(tokenEndpoint)
          .setJti(randomUUID())
          .setIssuedAt(seconds)
          .setNotBefore(seconds)
          .setExpirationTime(seconds + ASSERTION_LIFETIME_SECONDS)
          .sign(key);
        body.set('client_id', clientId);
        body.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
        body.set('client_assertion', assertion);
      },
    };
  }
  const secret = exchange.clientSecret;
  if (secret === undefined) throw new ConfigError(`config: ${option}.clientSecret: is required when clientAuth is "${exchange.clientAuth}"`);
  if (exchange.clientAuth === 'client_secret_basic') {
    // RFC 6749 §2.3.1: id and secret are form-encoded before being joined.
    const authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
    return {
      method: 'client_secret_basic',
      async apply({ headers }) {
        headers['authorization'] = authorization;
      },
    };
  }
  return {
    method: 'client_secret_post',
    async apply({ body }) {
      body.set('client_id', clientId);
      body.set('client_secret', secret);
    },
  };
}

function importKey(settings: ClientAssertionConfig, option: string): KeyObject {
  const known = keys.get(settings);
  if (known) return known;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: settings.privateKey, format: 'pem' });
  } catch {
    // The parser's message is not passed on: it could quote part of the key.
    throw new ConfigError(`config: ${option}.privateKey: is not an unencrypted PEM private key (PKCS#8, "-----BEGIN PRIVATE KEY-----")`);
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && !(type === 'rsa-pss' && settings.algorithm === 'PS256')) {
    throw new ConfigError(`config: ${option}.privateKey: must be an RSA key for ${settings.algorithm} (got ${type ?? 'unknown'})`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new ConfigError(`config: ${option}.privateKey: an RSA key must have at least 2048 bits (got ${bits})`);
  keys.set(settings, key);
  return key;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
