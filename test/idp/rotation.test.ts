import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APPS, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { getJson, kidOf } from './support.js';

describe('signing key rotation', () => {
  let idp: DevIdentityProvider;
  beforeEach(async () => {
    idp = await startDevIdentityProvider();
  });
  afterEach(async () => {
    await idp.close();
  });

  const publishedKids = async () => ((await getJson(idp.jwksUri)).body.keys as Array<{ kid: string }>).map((key) => key.kid);
  // A fresh JWKS client per check, so that nothing is served from a verifier's cache.
  const verifies = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(idp.jwksUri)), { issuer: idp.issuer, audience: DEMO_APPS.gateway.clientId }).then(
      () => true,
      () => false,
    );

  it('signs with the new kid and keeps the previous one published (keepPrevious default)', async () => {
    const oldKid = idp.currentKid;
    const oldToken = await idp.mint();
    const newKid = await idp.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    expect(idp.currentKid).toBe(newKid);
    const newToken = await idp.mint();
    expect(kidOf(newToken)).toBe(newKid);
    expect(await publishedKids()).toEqual([newKid, oldKid]);
    expect(await verifies(oldToken)).toBe(true);
    expect(await verifies(newToken)).toBe(true);
  });

  it('drops the previous key with keepPrevious: false', async () => {
    const oldToken = await idp.mint();
    const newKid = await idp.rotateKeys({ keepPrevious: false });
    expect(await publishedKids()).toEqual([newKid]);
    expect(await verifies(oldToken)).toBe(false);
    expect(await verifies(await idp.mint())).toBe(true);
  });

  it('stops accepting assertions signed by a dropped key', async () => {
    const assertion = await idp.mint();
    await idp.rotateKeys({ keepPrevious: false });
    const response = await fetch(idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: DEMO_APPS.gateway.clientId,
        client_secret: DEMO_APPS.gateway.clientSecret,
        assertion,
        scope: 'api://orders/.default',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_grant',
      error_codes: [50013],
      error_description: expect.stringMatching(/^AADSTS50013: Assertion failed signature validation\. \[Reason - The key was not found\.\]/),
    });
  });
});
