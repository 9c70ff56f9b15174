// The verified-token cache of useRequireAudience: a token sent again is not verified again, and
// the cache never admits a token that jwtVerify would refuse at that instant.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevApp, DevIdentityProvider, DevUser } from '../../src/idp/index.js';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { useRequireAudience, type CallerContext, type RequireAudienceOptions } from '../../subgraphs/shared/require-audience.js';
import { post, startIdp, type GraphQLResponse } from './support.js';

const TOLERANCE_SECONDS = 60;
const WHOAMI = '{ whoami { oid tid clientId isApp scopes } }';

let idp: DevIdentityProvider;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp.close();
});

interface Rig {
  readonly url: string;
  /** Key lookups done by jwtVerify so far. */
  readonly keyLookups: () => number;
  /** The plugin's clock, in ms; tests move it. */
  clockMs: number;
  close(): Promise<void>;
}

/** A one-field subgraph behind useRequireAudience, on loopback, with a counted key lookup and a clock the test moves. */
async function startRig(options: Partial<RequireAudienceOptions> = {}, audience: DevApp = DEMO_APPS.orders): Promise<Rig> {
  const remote = createRemoteJWKSet(new URL(idp.jwksUri));
  let lookups = 0;
  const keys: JWTVerifyGetKey = (header, token) => {
    lookups += 1;
    return remote(header, token);
  };
  const typeDefs = /* GraphQL */ `
    type Whoami {
      oid: String
      tid: String
      clientId: String!
      isApp: Boolean!
      scopes: [String!]!
    }
    type Query {
      whoami: Whoami!
    }
  `;
  const yoga = createYoga({
    schema: createSchema<CallerContext>({
      typeDefs,
      resolvers: {
        Query: {
          whoami: (_: unknown, __: unknown, { caller }: CallerContext) => ({ ...caller, scopes: [...(caller?.scopes ?? [])].sort() }),
        },
      },
    }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    plugins: [
      useRequireAudience({
        issuer: idp.issuer,
        jwksUri: idp.jwksUri,
        audiences: [audience.clientId, ...(audience.appIdUri === undefined ? [] : [audience.appIdUri])],
        clockTolerance: TOLERANCE_SECONDS,
        keys,
        now: () => rig.clockMs,
        ...options,
      }) as Plugin,
    ],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const rig: Rig = {
    url: `http://127.0.0.1:${port}/graphql`,
    keyLookups: () => lookups,
    clockMs: Date.now(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return rig;
}

function whoami(rig: Rig, token: string): Promise<GraphQLResponse> {
  return post(rig.url, { query: WHOAMI }, { authorization: `Bearer ${token}` });
}

function expectInvalidToken(response: GraphQLResponse, message: string): void {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(response.body).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

function expectCaller(response: GraphQLResponse, token: string, oid: string, scopes: string[]): void {
  expect(response.status).toBe(200);
  expect(response.body).toEqual({
    data: { whoami: { oid, tid: DEMO_TENANT_ID, clientId: decodeJwt(token)['azp'], isApp: false, scopes } },
  });
}

async function withRig(options: Partial<RequireAudienceOptions>, test: (rig: Rig) => Promise<void>): Promise<void> {
  const rig = await startRig(options);
  try {
    await test(rig);
  } finally {
    await rig.close();
  }
}

const mint = (user: DevUser = DEMO_USERS.ada, scopes = ['Orders.Read'], more: { lifetimeSeconds?: number; claims?: Record<string, unknown> } = {}) =>
  idp.mint({ user: user.preferredUsername, audience: DEMO_APPS.orders.clientId, scopes, ...more });

describe('verified-token cache of useRequireAudience', () => {
  it('accepts the same token twice, looking its key up only the first time', () =>
    withRig({}, async (rig) => {
      const token = await mint();
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(1);
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(1);
    }));

  it('refuses a cached token once the clock passes exp + tolerance, as jwtVerify does', () =>
    withRig({}, async (rig) => {
      const token = await mint(DEMO_USERS.ada, ['Orders.Read'], { lifetimeSeconds: 300 });
      const exp = decodeJwt(token).exp!;
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(1);

      // The last millisecond jwtVerify still accepts: served from the cache.
      rig.clockMs = (exp + TOLERANCE_SECONDS) * 1000 - 1;
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(1);

      // From here jwtVerify refuses it: so does the cache, with jwtVerify's own answer.
      rig.clockMs = (exp + TOLERANCE_SECONDS) * 1000;
      expectInvalidToken(await whoami(rig, token), 'Invalid access token: expired.');
      rig.clockMs += 3_600_000;
      expectInvalidToken(await whoami(rig, token), 'Invalid access token: expired.');
    }));

  it('verifies a different token on its own', () =>
    withRig({}, async (rig) => {
      const ada = await mint(DEMO_USERS.ada, ['Orders.Read']);
      const alan = await mint(DEMO_USERS.alan, ['Orders.Read', 'Orders.Write']);
      expectCaller(await whoami(rig, ada), ada, DEMO_USERS.ada.oid, ['Orders.Read']);
      expectCaller(await whoami(rig, alan), alan, DEMO_USERS.alan.oid, ['Orders.Read', 'Orders.Write']);
      expect(rig.keyLookups()).toBe(2);
      expectCaller(await whoami(rig, ada), ada, DEMO_USERS.ada.oid, ['Orders.Read']);
      expectCaller(await whoami(rig, alan), alan, DEMO_USERS.alan.oid, ['Orders.Read', 'Orders.Write']);
      expect(rig.keyLookups()).toBe(2);
    }));

  it('refuses a tampered copy of a cached token', () =>
    withRig({}, async (rig) => {
      const token = await mint(DEMO_USERS.ada, ['Orders.Read']);
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const elevated = Buffer.from(JSON.stringify({ ...decodeJwt(token), scp: 'Orders.Read Orders.Write' })).toString('base64url');
      expectInvalidToken(await whoami(rig, `${header}.${elevated}.${signature}`), 'Invalid access token: signature not verified.');
      // A character in the middle of the signature (the last one may only carry padding bits).
      const middle = Math.floor(signature.length / 2);
      const flipped = `${signature.slice(0, middle)}${signature[middle] === 'A' ? 'B' : 'A'}${signature.slice(middle + 1)}`;
      expectInvalidToken(await whoami(rig, `${header}.${payload}.${flipped}`), 'Invalid access token: signature not verified.');
      // The genuine token is still served from the cache.
      const before = rig.keyLookups();
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(before);
    }));

  it("does not let a token cached by one subgraph into another subgraph's audience", async () => {
    const orders = await startRig();
    const customers = await startRig({}, DEMO_APPS.customers);
    try {
      const token = await mint();
      expectCaller(await whoami(orders, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expectInvalidToken(await whoami(customers, token), 'Invalid access token: not issued for this API (audience).');
      expectInvalidToken(await whoami(customers, token), 'Invalid access token: not issued for this API (audience).');
    } finally {
      await orders.close();
      await customers.close();
    }
  });

  it('does not cache a token without exp', () =>
    withRig({}, async (rig) => {
      const token = await mint(DEMO_USERS.ada, ['Orders.Read'], { claims: { exp: undefined } });
      expect(decodeJwt(token).exp).toBeUndefined();
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(2);
    }));

  it('does not cache a refused token', () =>
    withRig({}, async (rig) => {
      const now = Math.floor(rig.clockMs / 1000);
      const token = await mint(DEMO_USERS.ada, ['Orders.Read'], { claims: { iat: now - 7200, nbf: now - 7200, exp: now - 120 } });
      expectInvalidToken(await whoami(rig, token), 'Invalid access token: expired.');
      // Even with the clock moved back to when it was valid, it was never remembered: verified again.
      rig.clockMs -= 3_600_000;
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(2);
    }));

  it('keeps at most verifiedTokenCacheSize tokens, least recently used dropped first', () =>
    withRig({ verifiedTokenCacheSize: 1 }, async (rig) => {
      const ada = await mint(DEMO_USERS.ada);
      const alan = await mint(DEMO_USERS.alan);
      await whoami(rig, ada);
      await whoami(rig, alan);
      expectCaller(await whoami(rig, ada), ada, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(3);
    }));

  it('verifies every time with verifiedTokenCacheSize 0', () =>
    withRig({ verifiedTokenCacheSize: 0 }, async (rig) => {
      const token = await mint();
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expectCaller(await whoami(rig, token), token, DEMO_USERS.ada.oid, ['Orders.Read']);
      expect(rig.keyLookups()).toBe(2);
    }));

  it('names a bad verifiedTokenCacheSize', () => {
    const auth = { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: [DEMO_APPS.orders.clientId] };
    for (const verifiedTokenCacheSize of [-1, 1.5, Number.NaN]) {
      expect(() => useRequireAudience({ ...auth, verifiedTokenCacheSize })).toThrow(
        'auth.verifiedTokenCacheSize must be an integer >= 0 (0 disables the cache)',
      );
    }
  });
});
