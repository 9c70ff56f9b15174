import { createHmac, createPublicKey } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, msalConfigForDevIdentityProvider } from '../../src/idp/index.js';
import { startTestDemo, type TestDemo } from '../e2e/support.js';
import {
  clearReceived,
  CUSTOMER_DATA,
  expectOutcome,
  invalidRequest,
  invalidToken,
  NO_TOKEN,
  nowSeconds,
  post,
  postRaw,
  startGatewayWith,
  TYPENAME_DATA,
  TYPENAME_QUERY,
  type Expected,
  type Outcome,
} from './gateway-support.js';
import { randomKid, rsaKey, signWith, startTestServer, type TestKey, type TestServer } from './support.js';

/**
 * Every rule of issue 3 ("Entra authentication that holds against every known JWT attack"),
 * one row each, through the gateway's real HTTP with the real dev identity provider and the
 * real subgraphs. Each row asserts the status, the WWW-Authenticate header and the body, and
 * that no subgraph received anything when the request was refused.
 */

const PARTNER_TENANT = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';
const STRANGER_TENANT = 'deadbeef-0000-4000-8000-00000000beef';

let demo: TestDemo;
let attacker: TestKey;
// The attacker's own server, named in jku / x5u headers: it must never be asked for anything.
let attackerServer: TestServer;
let v1Gateway: { url: string; close(): Promise<void> };
let multiTenantGateway: { url: string; close(): Promise<void> };

beforeAll(async () => {
  demo = await startTestDemo();
  attacker = await rsaKey('attacker-key');
  attackerServer = await startTestServer(() => ({ body: { keys: [attacker.publicJwk] } }));
  const audiences = [DEMO_APPS.gateway.appIdUri!, DEMO_APPS.gateway.clientId];
  v1Gateway = await startGatewayWith(demo, {
    issuers: [{ issuer: demo.idp.issuer }, { issuer: demo.idp.v1Issuer }],
    audiences,
    anonymous: true,
  });
  multiTenantGateway = await startGatewayWith(demo, {
    issuers: [{ issuer: demo.idp.multiTenantIssuer, jwksUri: demo.idp.commonJwksUri }],
    audiences,
    tenants: [DEMO_TENANT_ID, PARTNER_TENANT],
  });
});
afterAll(async () => {
  await v1Gateway?.close();
  await multiTenantGateway?.close();
  await attackerServer?.close();
  await demo?.close();
});
beforeEach(() => {
  clearReceived(demo);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Claims the gateway would accept, for tokens signed outside the identity provider. */
function validClaims(): Record<string, unknown> {
  const now = nowSeconds();
  return {
    aud: DEMO_APPS.gateway.clientId,
    iss: demo.idp.issuer,
    iat: now,
    nbf: now,
    exp: now + 3600,
    tid: DEMO_TENANT_ID,
    oid: '11111111-2222-4333-8444-555555555555',
    sub: 'attacker',
    azp: DEMO_APPS.graphiql.clientId,
    scp: 'Customers.Read',
    ver: '2.0',
  };
}

async function hs256WithPublicKey(): Promise<string> {
  const jwks = (await (await fetch(demo.idp.jwksUri)).json()) as { keys: Record<string, string>[] };
  const published = jwks.keys.find((k) => k['kid'] === demo.idp.currentKid)!;
  const pem = createPublicKey({ key: { kty: 'RSA', n: published['n']!, e: published['e']! }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: demo.idp.currentKid })}.${b64(validClaims())}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

/** An agent's token, obtained the way users point their own agents at the demo (README recipe). */
async function agentTokenFromMsal(): Promise<string> {
  const agent = new ConfidentialClientApplication(
    msalConfigForDevIdentityProvider(demo.idp, { clientId: DEMO_APPS.agent.clientId, clientSecret: DEMO_APPS.agent.clientSecret! }),
  );
  const result = await agent.acquireTokenByClientCredential({ scopes: [`${DEMO_APPS.gateway.appIdUri!}/.default`] });
  return result!.accessToken;
}

interface Row {
  readonly name: string;
  readonly send: () => Promise<Outcome>;
  readonly expected: Expected;
}

const main = () => demo.graphqlUrl;
const withToken = (token: () => Promise<string>, url = main, query?: string) => async () => post(url(), bearer(await token()), query);
const mint: TestDemo['idp']['mint'] = (options) => demo.idp.mint(options);
const now = nowSeconds;

const rows: Row[] = [
  // Controls: what a real Entra token gets.
  { name: 'a valid v2 token: accepted', send: withToken(() => mint()), expected: CUSTOMER_DATA },
  { name: 'a token @azure/msal-node got for the agent (client credentials): accepted', send: withToken(agentTokenFromMsal), expected: CUSTOMER_DATA },
  { name: 'lowercase scheme "bearer": accepted', send: async () => post(main(), { authorization: `bearer ${await mint()}` }), expected: CUSTOMER_DATA },
  { name: 'uppercase scheme "BEARER": accepted', send: async () => post(main(), { authorization: `BEARER ${await mint()}` }), expected: CUSTOMER_DATA },
  // (The identity provider allows no skew when exchanging these two, so they ask for nothing downstream.)
  { name: 'expired 30 s ago, within the 60 s skew: accepted', send: withToken(() => mint({ claims: { iat: now() - 3630, nbf: now() - 3630, exp: now() - 30 } }), main, TYPENAME_QUERY), expected: TYPENAME_DATA },
  { name: 'nbf 30 s ahead, within the 60 s skew: accepted', send: withToken(() => mint({ claims: { nbf: now() + 30 } }), main, TYPENAME_QUERY), expected: TYPENAME_DATA },

  // The request shape.
  { name: 'no token', send: () => post(main(), {}), expected: NO_TOKEN },
  { name: 'empty bearer', send: () => post(main(), { authorization: 'Bearer ' }), expected: invalidRequest('empty bearer token') },
  { name: 'two tokens in one header', send: async () => post(main(), { authorization: `Bearer ${await mint()}, Bearer ${await mint()}` }), expected: invalidRequest('more than one authorization value') },
  { name: 'two Authorization headers', send: async () => postRaw(main(), ['authorization', `Bearer ${await mint()}`, 'authorization', `Bearer ${await mint()}`]), expected: invalidRequest('more than one authorization value') },
  { name: 'two tokens separated by a space', send: async () => post(main(), { authorization: `Bearer ${await mint()} ${await mint()}` }), expected: invalidRequest('authorization must be a single Bearer token') },
  { name: 'another scheme (Basic)', send: () => post(main(), { authorization: 'Basic dXNlcjpwYXNz' }), expected: invalidRequest('authorization must be a single Bearer token') },
  { name: 'token in the query string', send: async () => post(main(), {}, undefined, `?access_token=${await mint()}`), expected: invalidRequest('token in the query string is not accepted') },
  { name: 'token in the query string next to a valid header', send: async () => post(main(), bearer(await mint()), undefined, `?access_token=${await mint()}`), expected: invalidRequest('token in the query string is not accepted') },
  { name: 'oversized token (a correctly signed one over 16 KB)', send: withToken(() => mint({ claims: { pad: 'x'.repeat(17_000) } })), expected: invalidRequest('token too large', 400) },
  { name: 'oversized header (40 KB): refused by the HTTP parser', send: () => post(main(), { authorization: `Bearer ${'a'.repeat(40_000)}` }), expected: { status: 431, challenge: null, body: '' } },
  { name: 'garbage', send: () => post(main(), bearer('not-a-jwt')), expected: invalidToken('malformed token') },
  { name: 'garbage in three parts', send: () => post(main(), bearer('aaa.bbb.ccc')), expected: invalidToken('malformed token') },

  // The signature and the key.
  { name: 'alg none', send: () => post(main(), bearer(`${b64({ alg: 'none', typ: 'JWT', kid: demo.idp.currentKid })}.${b64(validClaims())}.`)), expected: invalidToken('unsupported algorithm') },
  { name: 'HS256 signed with the public key as the secret', send: withToken(hs256WithPublicKey), expected: invalidToken('unsupported algorithm') },
  { name: 'PS256 signed with the right key', send: withToken(() => mint({ algorithm: 'PS256' })), expected: invalidToken('unsupported algorithm') },
  { name: 'right kid, signed by another key', send: withToken(() => signWith(attacker, validClaims(), { kid: demo.idp.currentKid })), expected: invalidToken('invalid signature') },
  { name: 'unknown kid', send: withToken(() => signWith(attacker, validClaims(), { kid: randomKid() })), expected: invalidToken('unknown signing key') },
  { name: 'no kid', send: withToken(() => signWith(attacker, validClaims(), { kid: undefined })), expected: invalidToken('token has no key id') },
  { name: 'jku header pointing at the attacker\'s server', send: withToken(() => signWith(attacker, validClaims(), { jku: `${attackerServer.url}/keys` })), expected: invalidToken('unsupported key reference') },
  { name: 'x5u header pointing at the attacker\'s server', send: withToken(() => signWith(attacker, validClaims(), { x5u: `${attackerServer.url}/cert.pem` })), expected: invalidToken('unsupported key reference') },
  { name: 'embedded jwk header with the attacker\'s key', send: withToken(() => signWith(attacker, validClaims(), { jwk: attacker.publicJwk })), expected: invalidToken('unsupported key reference') },
  { name: 'embedded x5c header', send: withToken(() => signWith(attacker, validClaims(), { x5c: ['MIIBfake'] })), expected: invalidToken('unsupported key reference') },

  // The claims (each token correctly signed by the identity provider).
  { name: 'expired', send: withToken(() => mint({ claims: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 120 } })), expected: invalidToken('token expired') },
  { name: 'nbf in the future', send: withToken(() => mint({ claims: { nbf: now() + 600 } })), expected: invalidToken('token not yet valid') },
  { name: 'iat in the future', send: withToken(() => mint({ claims: { iat: now() + 600 } })), expected: invalidToken('token issued in the future') },
  { name: 'missing exp', send: withToken(() => mint({ claims: { exp: undefined } })), expected: invalidToken('token has no expiry') },
  { name: 'missing iat', send: withToken(() => mint({ claims: { iat: undefined } })), expected: invalidToken('token has no issue time') },
  { name: 'exp not a number', send: withToken(() => mint({ claims: { exp: 'tomorrow' } })), expected: invalidToken('invalid claims') },
  { name: 'wrong issuer (real Entra\'s, same tenant)', send: withToken(() => mint({ claims: { iss: `https://login.microsoftonline.com/${DEMO_TENANT_ID}/v2.0` } })), expected: invalidToken('untrusted issuer or tenant') },
  { name: 'wrong tenant (tid of another tenant under our issuer)', send: withToken(() => mint({ claims: { tid: PARTNER_TENANT } })), expected: invalidToken('untrusted issuer or tenant') },
  { name: 'wrong audience (another API\'s token)', send: withToken(() => mint({ audience: DEMO_APPS.orders.clientId })), expected: invalidToken('wrong audience') },
  { name: 'no audience', send: withToken(() => mint({ claims: { aud: undefined } })), expected: invalidToken('wrong audience') },
  { name: 'v1 token when only the v2 issuer is configured', send: withToken(() => mint({ version: '1.0' })), expected: invalidToken('untrusted issuer or tenant') },
  { name: 'v2 issuer with ver "1.0"', send: withToken(() => mint({ claims: { ver: '1.0' } })), expected: invalidToken('token version does not match issuer') },

  // v1 and v2 issuers together, anonymous allowed (another gateway).
  { name: 'v1 token, v1 issuer configured: accepted', send: withToken(() => mint({ version: '1.0' }), () => v1Gateway.url), expected: CUSTOMER_DATA },
  { name: 'v2 token, both issuers configured: accepted', send: withToken(() => mint(), () => v1Gateway.url), expected: CUSTOMER_DATA },
  { name: 'v1 issuer with ver "2.0"', send: withToken(() => mint({ version: '1.0', claims: { ver: '2.0' } }), () => v1Gateway.url), expected: invalidToken('token version does not match issuer') },
  { name: 'no token with anonymous: true: an anonymous caller', send: () => post(v1Gateway.url, {}, TYPENAME_QUERY), expected: TYPENAME_DATA },
  { name: 'expired token with anonymous: true: still 401, never anonymous', send: withToken(() => mint({ claims: { exp: now() - 120 } }), () => v1Gateway.url, TYPENAME_QUERY), expected: invalidToken('token expired') },

  // A {tenantid} issuer with tenants [demo, partner] (another gateway, keys from the `common` JWKS).
  { name: 'multi-tenant: the home tenant: accepted', send: withToken(() => mint(), () => multiTenantGateway.url), expected: CUSTOMER_DATA },
  {
    name: 'multi-tenant: an allowed partner tenant: accepted',
    send: withToken(() => mint({ claims: { tid: PARTNER_TENANT, iss: `${demo.idp.url}/${PARTNER_TENANT}/v2.0` } }), () => multiTenantGateway.url, TYPENAME_QUERY),
    expected: TYPENAME_DATA,
  },
  {
    name: 'multi-tenant: a tenant not in auth.tenants',
    send: withToken(() => mint({ claims: { tid: STRANGER_TENANT, iss: `${demo.idp.url}/${STRANGER_TENANT}/v2.0` } }), () => multiTenantGateway.url),
    expected: invalidToken('untrusted issuer or tenant'),
  },
  {
    name: 'multi-tenant: an allowed tid under another tenant\'s iss',
    send: withToken(() => mint({ claims: { tid: PARTNER_TENANT, iss: `${demo.idp.url}/${STRANGER_TENANT}/v2.0` } }), () => multiTenantGateway.url),
    expected: invalidToken('untrusted issuer or tenant'),
  },
  {
    name: 'multi-tenant: a tid that is not a GUID',
    send: withToken(() => mint({ claims: { tid: 'common', iss: `${demo.idp.url}/common/v2.0` } }), () => multiTenantGateway.url),
    expected: invalidToken('untrusted issuer or tenant'),
  },
];

describe('token attacks through the gateway', () => {
  it.each(rows)('$name', async ({ send, expected }) => {
    expectOutcome(demo, await send(), expected);
  });

  it('never asked the attacker\'s jku / x5u server for anything', () => {
    expect(attackerServer.requests).toEqual([]);
  });

  it('never echoes a token or a claim in a refusal', async () => {
    const token = await mint({ claims: { exp: now() - 120, name: 'Mallory-Marker' } });
    const outcome = await post(main(), bearer(token));
    const text = `${JSON.stringify(outcome.body)} ${outcome.headers.get('www-authenticate')}`;
    expect(text).not.toContain(token.split('.')[1]);
    expect(text).not.toContain('Mallory-Marker');
    expect(text).not.toContain(DEMO_TENANT_ID);
  });
});
