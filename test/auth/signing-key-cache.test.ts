import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APPS, startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { startTestDemo, type TestDemo } from '../e2e/support.js';
import {
  clearReceived,
  expectOutcome,
  invalidToken,
  KEYS_UNAVAILABLE,
  nowSeconds,
  post,
  startGatewayWith,
  TYPENAME_DATA,
  TYPENAME_QUERY,
  type Outcome,
} from './gateway-support.js';
import { randomKid, rsaKey, signWith, startTestServer, testClock, type TestClock, type TestKey, type TestServer } from './support.js';

/**
 * The gateway's cache of issuer keys, through its real HTTP: rotation, a flood of unknown kids,
 * an issuer whose JWKS endpoint fails, and the 24 h limit on serving stale keys.
 *
 * The issuer here is a dev identity provider of its own, on a clock the test moves (shared
 * with the gateway), whose JWKS the gateway reads through a relay that can fail on purpose:
 * that relay is the outside world going down. Its requests, and the provider's
 * `stats.jwksRequests`, count the gateway's JWKS fetches exactly, since nothing else trusts
 * this provider. The demo's provider stays the STS and the subgraphs' issuer; accepted calls
 * ask for `__typename`, which needs nothing downstream.
 */

const SECOND = 1000;
const HOUR = 3_600_000;
const COOLDOWN = 30 * SECOND;

let demo: TestDemo;
let issuer: DevIdentityProvider;
let relay: TestServer;
let relayFails = false;
let clock: TestClock;
let attacker: TestKey;
let gateway: { url: string; close(): Promise<void> };

beforeAll(async () => {
  demo = await startTestDemo();
  clock = testClock();
  issuer = await startDevIdentityProvider({ now: clock.now });
  attacker = await rsaKey('attacker-key');
  relay = await startTestServer(async () => {
    if (relayFails) return { status: 503, body: { error: 'temporarily_unavailable' } };
    const response = await fetch(issuer.jwksUri);
    return { status: response.status, body: await response.json() };
  });
  gateway = await startGatewayWith(
    demo,
    { issuers: [{ issuer: issuer.issuer, jwksUri: `${relay.url}/keys` }], audiences: [DEMO_APPS.gateway.appIdUri!, DEMO_APPS.gateway.clientId] },
    { now: clock.now },
  );
});
afterAll(async () => {
  await gateway?.close();
  await relay?.close();
  await issuer?.close();
  await demo?.close();
});
beforeEach(() => {
  clearReceived(demo);
});

/** The gateway's JWKS fetches so far: attempts (at the relay) and successes (at the provider). */
const fetches = () => ({ attempts: relay.count('/keys'), served: issuer.stats.jwksRequests });
const call = async (token: string): Promise<Outcome> => post(gateway.url, { authorization: `Bearer ${token}` }, TYPENAME_QUERY);
/** A correctly shaped token signed by a key the issuer never published, under a made-up kid. */
const madeUpKid = () => {
  const now = nowSeconds(clock.now());
  return signWith(attacker, { aud: DEMO_APPS.gateway.clientId, iss: issuer.issuer, iat: now, nbf: now, exp: now + 3600, tid: issuer.tenantId, ver: '2.0' }, { kid: randomKid() });
};

describe('the signing-key cache, through the gateway', () => {
  it('loaded the keys once at start', async () => {
    expect(fetches()).toEqual({ attempts: 1, served: 1 });
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: 1, served: 1 });
  });

  it('rotation: a token of the new key works on its first request, with one JWKS fetch', async () => {
    clock.advance(COOLDOWN);
    const before = fetches();
    const oldToken = await issuer.mint();
    await issuer.rotateKeys();
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served + 1 });
    // The previous key stays published (Entra keeps it a while): its tokens still work, no fetch.
    expectOutcome(demo, await call(oldToken), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served + 1 });
  });

  it('unknown-kid flood: 50 made-up kids at once, then 50 more, make one JWKS fetch per cooldown', async () => {
    clock.advance(COOLDOWN);
    const before = fetches();
    const burst = await Promise.all(Array.from({ length: 50 }, async () => call(await madeUpKid())));
    for (const outcome of burst) expectOutcome(demo, outcome, invalidToken('unknown signing key'));
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served + 1 });
    for (let i = 0; i < 50; i += 1) expectOutcome(demo, await call(await madeUpKid()), invalidToken('unknown signing key'));
    clock.advance(COOLDOWN - SECOND);
    expectOutcome(demo, await call(await madeUpKid()), invalidToken('unknown signing key'));
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served + 1 });
    clock.advance(SECOND);
    expectOutcome(demo, await call(await madeUpKid()), invalidToken('unknown signing key'));
    expect(fetches()).toEqual({ attempts: before.attempts + 2, served: before.served + 2 });
    // Valid tokens went on working throughout.
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA);
  });

  it('a key the issuer stopped publishing is refused once a refresh has seen it gone, even for a token verified before', async () => {
    clock.advance(COOLDOWN);
    const verifiedBefore = await issuer.mint();
    expectOutcome(demo, await call(verifiedBefore), TYPENAME_DATA);
    await issuer.rotateKeys({ keepPrevious: false });
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA); // the new kid: one refresh
    expectOutcome(demo, await call(verifiedBefore), invalidToken('unknown signing key'));
  });

  it('failed refresh keeps the last good keys; past maxStale (24 h) they are dropped and the gateway fails closed; it recovers with the issuer', async () => {
    clock.advance(COOLDOWN);
    // A successful refresh: the 24 h count starts here.
    expectOutcome(demo, await call(await madeUpKid()), invalidToken('unknown signing key'));
    const lastGood = clock.now();
    relayFails = true;
    const before = fetches();

    // The issuer is down: an unknown kid tries a refresh, which fails; known keys keep working.
    clock.advance(COOLDOWN);
    expectOutcome(demo, await call(await madeUpKid()), invalidToken('unknown signing key'));
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served });

    // Still down after 24 h less a second: still served from the last good keys.
    clock.advance(lastGood + 24 * HOUR - SECOND - clock.now());
    expectOutcome(demo, await call(await issuer.mint()), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: before.attempts + 1, served: before.served });

    // Past 24 h: the keys are dropped. A valid token cannot be checked: 503, not accepted.
    clock.advance(2 * SECOND);
    const token = await issuer.mint();
    expectOutcome(demo, await call(token), KEYS_UNAVAILABLE);
    expect((await call(token)).headers.get('retry-after')).toBe('30');
    expect(fetches()).toEqual({ attempts: before.attempts + 2, served: before.served }); // one more try, then the cooldown
    expectOutcome(demo, await call(await madeUpKid()), KEYS_UNAVAILABLE);
    expect(fetches()).toEqual({ attempts: before.attempts + 2, served: before.served });

    // The issuer is back: the next attempt after the cooldown restores service.
    relayFails = false;
    clock.advance(COOLDOWN);
    expectOutcome(demo, await call(token), TYPENAME_DATA);
    expect(fetches()).toEqual({ attempts: before.attempts + 3, served: before.served + 1 });
  });
});
