import { generateKeyPairSync } from 'node:crypto';
import { importJWK, jwtVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { DEMO_APPS, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { createGateway } from '../../src/server/create-gateway.js';
import {
  ACCESS_TOKEN_TYPE,
  GATEWAY_CERTIFICATE,
  gatewayConfig,
  graphql,
  OBO,
  secretExchange,
  startRig,
  TOKEN_EXCHANGE,
  type Rig,
  type StsRequest,
} from './support.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => {
  rig.clearReceived();
  rig.sts.answer = () => ({ forward: true });
});

const gateway = DEMO_APPS.gateway;
const ROOTS = '{ customers(first: 1) { id } orders(first: 1) { number } documents(first: 1) { title } }';
const ROOTS_DATA = {
  customers: [{ id: 'C-0001' }],
  orders: [{ number: expect.stringMatching(/^SO-\d+$/) }],
  documents: [{ title: expect.any(String) }],
};

/** The OBO requests the STS received, keyed by the scope they asked for. */
function oboRequests(): Record<string, StsRequest> {
  return Object.fromEntries(rig.sts.grants(OBO).map((r) => [r.form['scope'], r]));
}

describe('client authentication at the token service', () => {
  it('client_secret_post: client_id and client_secret in the form, no Authorization header', async () => {
    const gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint, { clientAuth: 'client_secret_post' })));
    rig.clearReceived();
    const token = await rig.personToken();
    const response = await graphql(gw.graphqlUrl, ROOTS, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: ROOTS_DATA });
    const requests = oboRequests();
    expect(Object.keys(requests).sort()).toEqual(['api://customers/.default', 'api://knowledge/.default', 'api://orders/.default']);
    for (const [scope, request] of Object.entries(requests)) {
      expect(request.form).toEqual({
        grant_type: OBO,
        requested_token_use: 'on_behalf_of',
        assertion: token,
        scope,
        client_id: gateway.clientId,
        client_secret: gateway.clientSecret,
      });
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.headers['authorization']).toBeUndefined();
    }
    await gw.close();
  });

  it('client_secret_basic: form-encoded id:secret in a Basic header, nothing secret in the form', async () => {
    const gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint, { clientAuth: 'client_secret_basic' })));
    rig.clearReceived();
    const token = await rig.personToken();
    const response = await graphql(gw.graphqlUrl, ROOTS, { token });
    expect(response.body).toEqual({ data: ROOTS_DATA });
    const basic = `Basic ${Buffer.from(`${gateway.clientId}:${gateway.clientSecret}`).toString('base64')}`;
    for (const [scope, request] of Object.entries(oboRequests())) {
      expect(request.form).toEqual({ grant_type: OBO, requested_token_use: 'on_behalf_of', assertion: token, scope });
      expect(request.headers['authorization']).toBe(basic);
    }
    await gw.close();
  });

  it('private_key_jwt: a fresh RFC 7523 assertion per request (iss = sub = client, aud = token endpoint, jti, short exp, kid)', async () => {
    const gw = await rig.startGateway(
      gatewayConfig(
        rig,
        {
          grant: 'entra-obo',
          tokenEndpoint: rig.sts.tokenEndpoint,
          clientId: gateway.clientId,
          clientAuth: 'private_key_jwt',
          clientAssertion: { privateKey: rig.certificate.privateKey, keyId: GATEWAY_CERTIFICATE.kid },
        },
      ),
    );
    // Reading the SDLs used client credentials with an assertion too.
    const atStart = rig.sts.grants('client_credentials');
    expect(atStart).toHaveLength(3);
    rig.clearReceived();
    const token = await rig.personToken();
    const response = await graphql(gw.graphqlUrl, ROOTS, { token });
    expect(response.body).toEqual({ data: ROOTS_DATA });

    const key = await importJWK(rig.certificate.publicJwk, 'RS256');
    const jtis = new Set<string>();
    for (const [scope, request] of Object.entries(oboRequests())) {
      expect(request.form).toEqual({
        grant_type: OBO,
        requested_token_use: 'on_behalf_of',
        assertion: token,
        scope,
        client_id: gateway.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: expect.any(String),
      });
      expect(request.headers['authorization']).toBeUndefined();
      const assertion = request.form['client_assertion']!;
      expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: GATEWAY_CERTIFICATE.kid });
      const { payload } = await jwtVerify(assertion, key, { algorithms: ['RS256'], audience: rig.sts.tokenEndpoint, issuer: gateway.clientId, subject: gateway.clientId });
      expect(payload).toEqual({
        iss: gateway.clientId,
        sub: gateway.clientId,
        aud: rig.sts.tokenEndpoint,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iat: expect.any(Number),
        nbf: payload.iat,
        exp: payload.iat! + 300,
      });
      jtis.add(payload.jti!);
    }
    for (const request of atStart) jtis.add((await jwtVerify(request.form['client_assertion']!, key)).payload.jti!);
    expect(jtis.size).toBe(6);
    // Neither the key nor an assertion reaches the log.
    const logs = gw.logs.join('\n');
    expect(logs).not.toContain('client_assertion"');
    for (const request of rig.sts.requests) expect(logs).not.toContain(request.form['client_assertion']!.split('.')[2]);
    await gw.close();
  });

  it.each<[string, { thumbprint?: string; thumbprintSha256?: string; algorithm?: 'RS256' | 'PS256' }, Record<string, string>]>([
    ['x5t', { thumbprint: GATEWAY_CERTIFICATE.x5t }, { x5t: GATEWAY_CERTIFICATE.x5t }],
    ['x5t#S256 with PS256', { thumbprintSha256: GATEWAY_CERTIFICATE.x5tS256, algorithm: 'PS256' as const }, { 'x5t#S256': GATEWAY_CERTIFICATE.x5tS256 }],
  ])('private_key_jwt against the dev identity provider: certificate named by %s', async (_, settings, header) => {
    // The provider checks the signature, the audience (its own token endpoint) and that the
    // header names a certificate registered on the gateway app.
    const gw = await rig.startGateway(
      gatewayConfig(rig, {
        grant: 'entra-obo',
        tokenEndpoint: rig.idp.tokenEndpoint,
        clientId: gateway.clientId,
        clientAuth: 'private_key_jwt',
        clientAssertion: { privateKey: rig.certificate.privateKey, ...settings },
      }),
    );
    const token = await rig.personToken('alan');
    const response = await graphql(gw.graphqlUrl, ROOTS, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: ROOTS_DATA });
    const received = rig.subgraphs.orders.received.operations().at(-1)!;
    // azpacr 2: the provider saw a certificate-authenticated client.
    expect(received.claims).toMatchObject({ aud: DEMO_APPS.orders.clientId, oid: DEMO_USERS.alan.oid, azp: gateway.clientId, azpacr: '2' });

    // And through the recording STS: exactly that header.
    const viaSts = await rig.startGateway(
      gatewayConfig(rig, {
        grant: 'entra-obo',
        tokenEndpoint: rig.sts.tokenEndpoint,
        clientId: gateway.clientId,
        clientAuth: 'private_key_jwt',
        clientAssertion: { privateKey: rig.certificate.privateKey, ...settings },
      }),
    );
    const assertion = rig.sts.requests.at(-1)!.form['client_assertion']!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: settings.algorithm ?? 'RS256', typ: 'JWT', ...header });
    await viaSts.close();
    await gw.close();
  });

  it('RFC 8693 against the dev identity provider: every form field, audience, scope and resource as configured', async () => {
    const gw = await rig.startGateway(
      gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint, { grant: 'token-exchange', clientAuth: 'client_secret_basic' }), ['customers', 'orders', 'knowledge'], {
        orders: { scope: 'Orders.Read', exchange: { resource: 'api://orders' } },
      }),
    );
    rig.clearReceived();
    const token = await rig.personToken();
    const response = await graphql(gw.graphqlUrl, ROOTS, { token });
    expect(response.body).toEqual({ data: ROOTS_DATA });
    const byAudience = Object.fromEntries(rig.sts.grants(TOKEN_EXCHANGE).map((r) => [r.form['audience'], r.form]));
    const common = { grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE, requested_token_type: ACCESS_TOKEN_TYPE };
    expect(byAudience).toEqual({
      'api://customers': { ...common, audience: 'api://customers' },
      'api://knowledge': { ...common, audience: 'api://knowledge' },
      'api://orders': { ...common, audience: 'api://orders', scope: 'Orders.Read', resource: 'api://orders' },
    });
    // RFC 8693 tokens carry the audience exactly as requested.
    expect(rig.subgraphs.orders.received.operations().map((r) => [r.claims?.['aud'], r.claims?.['oid'], r.claims?.['scp']])).toEqual([
      ['api://orders', DEMO_USERS.ada.oid, 'Orders.Read'],
    ]);
    await gw.close();
  });
});

describe('client authentication settings are checked when the gateway is built', () => {
  const base = (exchange: Record<string, unknown>, subgraphs?: Record<string, unknown>) =>
    parseConfig(
      gatewayConfig(
        rig,
        { grant: 'entra-obo', tokenEndpoint: rig.idp.tokenEndpoint, clientId: gateway.clientId, ...exchange },
        ['customers', 'orders'],
        subgraphs ? { orders: subgraphs } : {},
      ),
      {},
    );

  function buildError(config: ReturnType<typeof base>): unknown {
    try {
      createGateway(config);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it('names the option of a private key that is not a PEM private key', () => {
    const error = buildError(base({ clientAuth: 'private_key_jwt', clientAssertion: { privateKey: 'MIIEvQ-not-a-key' } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('config: exchange.clientAssertion.privateKey: is not an unencrypted PEM private key (PKCS#8, "-----BEGIN PRIVATE KEY-----")');
  });

  it('refuses a key that cannot sign RS256 (EC) or is too short, naming the subgraph override that set it', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((buildError(base({ clientAuth: 'private_key_jwt', clientAssertion: { privateKey: ec } })) as Error).message).toBe(
      'config: exchange.clientAssertion.privateKey: must be an RSA key for RS256 (got ec)',
    );
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(
      (buildError(base({ clientSecret: 'x' }, { exchange: { clientAuth: 'private_key_jwt', clientAssertion: { privateKey: short } } })) as Error).message,
    ).toBe('config: subgraphs[orders].exchange.clientAssertion.privateKey: an RSA key must have at least 2048 bits (got 1024)');
  });

  it('refuses a secret method without a secret in the merged settings', () => {
    const error = buildError(
      base({ clientAuth: 'private_key_jwt', clientAssertion: { privateKey: rig.certificate.privateKey } }, { exchange: { clientAuth: 'client_secret_post' } }),
    );
    expect((error as Error).message).toBe('config: subgraphs[orders].exchange.clientSecret: is required when clientAuth is "client_secret_post"');
  });
});
