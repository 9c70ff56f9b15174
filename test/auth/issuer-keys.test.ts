import { exportJWK, generateKeyPair, generateSecret } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IssuerKeys, MAX_JWKS_BYTES, MAX_JWKS_KEYS, type IssuerKeysOptions, type KeysRefreshFailure } from '../../src/auth/issuer-keys.js';
import { jwksOf, manualScheduler, rsaKey, weakRsaJwk, startTestServer, testClock, type TestKey, type TestServer } from './support.js';

const HOUR = 3_600_000;
const TENANT = '3f1b6c2e-8a4d-4c7e-9b0f-5d2a7e1c9f64';

// The issuer's discovery and JWKS endpoints: the outside world of the key cache.
let server: TestServer;
let keyA: TestKey;
let keyB: TestKey;
let document: unknown;
let jwksStatus: number;

beforeAll(async () => {
  server = await startTestServer();
  [keyA, keyB] = await Promise.all([rsaKey('key-a'), rsaKey('key-b')]);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.splice(0);
  document = jwksOf([keyA]);
  jwksStatus = 200;
  server.answer = (path) => {
    if (path === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      return { body: { issuer: issuer(), jwks_uri: `${server.url}/${TENANT}/discovery/v2.0/keys` } };
    }
    if (path === `/${TENANT}/discovery/v2.0/keys`) return { status: jwksStatus, body: document };
    return { status: 404, body: {} };
  };
});

const issuer = () => `${server.url}/${TENANT}/v2.0`;
const jwksUri = () => `${server.url}/${TENANT}/discovery/v2.0/keys`;
const jwksRequests = () => server.count(`/${TENANT}/discovery/v2.0/keys`);

function issuerKeys(options: Partial<IssuerKeysOptions> = {}): IssuerKeys {
  return new IssuerKeys({ issuer: issuer(), jwksUri: jwksUri(), ...options });
}

describe('IssuerKeys: loading', () => {
  it('finds the JWKS through the issuer\'s discovery document once, and keys by kid', async () => {
    const keys = new IssuerKeys({ issuer: issuer() });
    expect(keys.loaded).toBe(false);
    expect(keys.get('key-a')).toBeUndefined();
    await keys.refresh();
    await keys.refresh();
    expect(keys.loaded).toBe(true);
    expect(keys.usable).toBe(true);
    expect(server.requests).toEqual([
      `/${TENANT}/v2.0/.well-known/openid-configuration`,
      `/${TENANT}/discovery/v2.0/keys`,
      `/${TENANT}/discovery/v2.0/keys`,
    ]);
    const key = keys.get('key-a');
    expect(key?.issuer).toBeUndefined();
    expect(key?.key.algorithm).toEqual({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' }, modulusLength: 2048, publicExponent: expect.any(Uint8Array) });
    expect(key?.key.usages).toEqual(['verify']);
    expect(keys.get('key-b')).toBeUndefined();
  });

  it('keeps the issuer member of a key (Entra v2 documents), and shares one request among concurrent refreshes', async () => {
    document = { keys: [{ ...keyA.publicJwk, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }] };
    const keys = issuerKeys();
    await Promise.all([keys.refresh(), keys.refresh(), keys.refresh()]);
    expect(jwksRequests()).toBe(1);
    expect(keys.get('key-a')?.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
  });

  it('keeps only RSA signing keys of at least 2048 bits that may be used for RS256', async () => {
    const ec = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
    const oct = await exportJWK(await generateSecret('HS256', { extractable: true }));
    const rsa = (kid: string, extra: Record<string, unknown> = {}) => ({ ...keyA.publicJwk, kid, ...extra });
    document = {
      keys: [
        rsa('no-alg'),
        rsa('alg-rs256', { alg: 'RS256' }),
        rsa('alg-ps256', { alg: 'PS256' }),
        rsa('alg-rs384', { alg: 'RS384' }),
        rsa('alg-none', { alg: 'none' }),
        rsa('use-enc', { use: 'enc' }),
        rsa('ops-encrypt', { key_ops: ['encrypt'] }),
        rsa('ops-verify', { key_ops: ['verify'] }),
        { ...ec, kid: 'ec-p256', use: 'sig' },
        { ...oct, kid: 'oct-hs256', use: 'sig' },
        { ...oct, kty: 'RSA', kid: 'rsa-without-n' },
        rsa('bad-modulus', { n: 'not-base64url!' }),
        weakRsaJwk('weak-1024'),
        { kty: 'RSA', n: keyB.publicJwk.n, e: keyB.publicJwk.e },
        rsa(''),
        rsa('x'.repeat(300)),
        'not an object',
        null,
      ],
    };
    const keys = issuerKeys();
    await keys.refresh();
    const kept = ['no-alg', 'alg-rs256', 'ops-verify'];
    for (const kid of kept) expect(keys.get(kid), kid).toBeDefined();
    const dropped = ['alg-ps256', 'alg-rs384', 'alg-none', 'use-enc', 'ops-encrypt', 'ec-p256', 'oct-hs256', 'rsa-without-n', 'bad-modulus', 'weak-1024', '', 'x'.repeat(300)];
    for (const kid of dropped) expect(keys.get(kid), kid).toBeUndefined();
  });

  it('keeps the first of two entries with the same kid', async () => {
    document = jwksOf([keyA, { ...keyB, publicJwk: { ...keyB.publicJwk, kid: 'key-a' } }]);
    const keys = issuerKeys();
    await keys.refresh();
    expect((await exportJWK(keys.get('key-a')!.key)).n).toBe(keyA.publicJwk.n);
  });
});

describe('IssuerKeys: a failed refresh keeps the last good keys', () => {
  // Each is a way a JWKS endpoint can fail; none may wipe the keys in use.
  const failures: [string, () => void, string][] = [
    ['answers 503', () => void (jwksStatus = 503), 'answered 503'],
    ['answers a JWKS larger than the bound', () => void (document = { keys: [keyA.publicJwk], padding: 'x'.repeat(MAX_JWKS_BYTES) }), `response body larger than ${MAX_JWKS_BYTES} bytes`],
    ['answers more keys than the bound', () => void (document = { keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, (_, i) => ({ ...keyB.publicJwk, kid: `k${i}` })) }), `has more than ${MAX_JWKS_KEYS} keys`],
    ['answers no keys array', () => void (document = { keys: 'none' }), 'has no keys array'],
    ['answers only unusable keys', () => void (document = { keys: [{ kty: 'EC', kid: 'ec', crv: 'P-256', x: 'AA', y: 'AA' }] }), 'has no usable RS256 keys'],
    ['answers an empty keys array', () => void (document = { keys: [] }), 'has no usable RS256 keys'],
  ];

  it.each(failures)('when the JWKS endpoint %s', async (_name, breakIt, reason) => {
    const reported: KeysRefreshFailure[] = [];
    const keys = issuerKeys({ onRefreshError: (f) => reported.push(f) });
    await keys.refresh();
    breakIt();
    await expect(keys.refresh()).rejects.toThrow(reason);
    expect(keys.get('key-a')).toBeDefined();
    expect(keys.usable).toBe(true);
    expect(reported).toEqual([{ issuer: issuer(), reason: expect.stringContaining(reason), keysUnavailable: false }]);
  });

  it('when the body is not JSON, without quoting the body', async () => {
    const reported: KeysRefreshFailure[] = [];
    const keys = issuerKeys({ onRefreshError: (f) => reported.push(f) });
    await keys.refresh();
    server.answer = () => ({ raw: '<html>secret-looking page</html>' });
    await expect(keys.refresh()).rejects.toThrow(`GET ${jwksUri()}: not JSON`);
    expect(keys.get('key-a')).toBeDefined();
    expect(JSON.stringify(reported)).not.toContain('secret-looking');
  });

  it('the first load failing leaves nothing loaded, and says the keys are unavailable', async () => {
    jwksStatus = 500;
    const reported: KeysRefreshFailure[] = [];
    const keys = issuerKeys({ onRefreshError: (f) => reported.push(f) });
    await expect(keys.refresh()).rejects.toThrow('answered 500');
    expect(keys.loaded).toBe(false);
    expect(keys.usable).toBe(false);
    expect(reported).toEqual([{ issuer: issuer(), reason: `GET ${jwksUri()} answered 500`, keysUnavailable: true }]);
  });

  it('a successful refresh replaces the keys whole: a key no longer published is gone', async () => {
    const keys = issuerKeys();
    await keys.refresh();
    document = jwksOf([keyB]);
    await keys.refresh();
    expect(keys.get('key-a')).toBeUndefined();
    expect(keys.get('key-b')).toBeDefined();
  });
});

describe('IssuerKeys: maxStale', () => {
  it('serves the last good keys for 24 h while refreshes fail, then drops them (fail closed) until a refresh succeeds', async () => {
    const clock = testClock();
    const keys = issuerKeys({ now: clock.now });
    await keys.refresh();
    jwksStatus = 503;
    clock.advance(23 * HOUR);
    await expect(keys.refresh()).rejects.toThrow('answered 503');
    clock.advance(HOUR);
    expect(keys.get('key-a')).toBeDefined(); // exactly 24 h: still served
    clock.advance(1);
    expect(keys.get('key-a')).toBeUndefined();
    expect(keys.usable).toBe(false);
    expect(keys.loaded).toBe(true); // readiness is about the first load
    clock.advance(HOUR);
    expect(keys.get('key-a')).toBeUndefined(); // dropped, not merely hidden
    jwksStatus = 200;
    await keys.refresh();
    expect(keys.get('key-a')).toBeDefined();
  });

  it('counts from the last successful refresh, not the first', async () => {
    const clock = testClock();
    const keys = issuerKeys({ now: clock.now, maxStaleMs: 2 * HOUR, refreshIntervalMs: HOUR });
    await keys.refresh();
    clock.advance(HOUR + 30 * 60_000);
    await keys.refresh();
    jwksStatus = 503;
    clock.advance(HOUR + 30 * 60_000);
    expect(keys.get('key-a')).toBeDefined();
    clock.advance(31 * 60_000);
    expect(keys.get('key-a')).toBeUndefined();
  });
});

describe('IssuerKeys: unknown kid', () => {
  it('refreshes at once, and at most once per cooldown however many unknown kids arrive', async () => {
    const clock = testClock();
    const keys = issuerKeys({ now: clock.now });
    await keys.refresh();
    document = jwksOf([keyA, keyB]);
    clock.advance(30_000);
    await Promise.all(Array.from({ length: 50 }, () => keys.refreshForUnknownKid()));
    expect(jwksRequests()).toBe(2);
    expect(keys.get('key-b')).toBeDefined();
    for (let i = 0; i < 50; i += 1) await keys.refreshForUnknownKid();
    clock.advance(29_999);
    await keys.refreshForUnknownKid();
    expect(jwksRequests()).toBe(2);
    clock.advance(1);
    await keys.refreshForUnknownKid();
    expect(jwksRequests()).toBe(3);
  });

  it('any refresh attempt starts the cooldown, a failed one too; a failure is not thrown', async () => {
    const clock = testClock();
    const keys = issuerKeys({ now: clock.now, cooldownMs: 5_000 });
    jwksStatus = 503;
    await keys.refreshForUnknownKid();
    await keys.refreshForUnknownKid();
    expect(jwksRequests()).toBe(1);
    clock.advance(5_000);
    jwksStatus = 200;
    await keys.refreshForUnknownKid();
    expect(jwksRequests()).toBe(2);
    expect(keys.get('key-a')).toBeDefined();
  });
});

describe('IssuerKeys: background refresh', () => {
  it('start() refreshes every refreshInterval (1 h by default) until close()', async () => {
    const scheduler = manualScheduler();
    const keys = issuerKeys({ every: scheduler.every });
    await keys.refresh();
    keys.start();
    keys.start(); // idempotent
    expect(scheduler.intervals).toEqual([HOUR]);
    expect(scheduler.active).toBe(1);
    document = jwksOf([keyB]);
    scheduler.tick();
    await new Promise((resolve) => setImmediate(resolve));
    await keys.refresh(); // settles after the background one (or is one more)
    expect(keys.get('key-b')).toBeDefined();
    const before = jwksRequests();
    keys.close();
    expect(scheduler.active).toBe(0);
    scheduler.tick();
    expect(jwksRequests()).toBe(before);
  });

  it('a failing background refresh neither throws nor drops the keys', async () => {
    const scheduler = manualScheduler();
    const reported: KeysRefreshFailure[] = [];
    const keys = issuerKeys({ every: scheduler.every, refreshIntervalMs: 10 * 60_000, onRefreshError: (f) => reported.push(f) });
    await keys.refresh();
    keys.start();
    expect(scheduler.intervals).toEqual([10 * 60_000]);
    jwksStatus = 502;
    scheduler.tick();
    await expect.poll(() => reported.length).toBe(1);
    expect(keys.get('key-a')).toBeDefined();
    keys.close();
  });

  it('the default scheduler is an unref\'d interval that close() stops', async () => {
    const keys = issuerKeys();
    await keys.refresh();
    keys.start();
    keys.close();
    expect(jwksRequests()).toBe(1);
  });
});

describe('IssuerKeys: options', () => {
  it.each([
    [{ cooldownMs: -1 }, 'IssuerKeys: cooldownMs must be a number of milliseconds, at least 0'],
    [{ refreshIntervalMs: 0 }, 'IssuerKeys: refreshIntervalMs must be a number of milliseconds, at least 1000'],
    [{ maxStaleMs: Number.NaN }, 'IssuerKeys: maxStaleMs must be a number of milliseconds, at least 1000'],
    [{ timeoutMs: 0 }, 'IssuerKeys: timeoutMs must be a number of milliseconds, at least 1'],
    [{ jwksUri: 'file:///etc/passwd' }, 'IssuerKeys: jwksUri must be an http(s) URL'],
    [{ issuer: '' }, 'IssuerKeys: issuer must be a non-empty string'],
  ] as [Partial<IssuerKeysOptions>, string][])('refuses %j', (options, message) => {
    expect(() => issuerKeys(options)).toThrow(new TypeError(message));
  });
});
