import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../e2e/support.js';
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { INVENTORY_APP, INVENTORY_TEAM_APP, SHELF_APPS, startShelfSubgraph, type TestSubgraph } from './inventory-subgraph.js';
import { admin, INVENTORY_GROUP_ID, inventoryRegistration, startTestbed, type AdminAnswer, type RunningGateway, type Testbed } from './support.js';

let testbed: Testbed;
let gw: RunningGateway;
let shelf: TestSubgraph;
beforeAll(async () => {
  testbed = await startTestbed();
  gw = await testbed.startGateway();
  shelf = await startShelfSubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, 1);
  // inventory: owned by the inventory team's app; shelf-1: owned by a group of people.
  const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
  const put2 = await admin(gw.url, 'PUT', '/admin/subgraphs/shelf-1', { token: testbed.tokens.admin, body: { url: shelf.url, audience: SHELF_APPS[0]!.appIdUri, owner: INVENTORY_GROUP_ID } });
  if (put.status !== 200 || put2.status !== 200) throw new Error(`setup failed: ${put.text} ${put2.text}`);
});
afterAll(async () => {
  await shelf?.close();
  await testbed?.close();
});

function error(answer: AdminAnswer): unknown {
  return { status: answer.status, error: answer.body.error };
}

describe('who may use the admin API', () => {
  it('401 without a token, with a Bearer challenge', async () => {
    const answer = await admin(gw.url, 'GET', '/admin/subgraphs');
    expect(error(answer)).toEqual({
      status: 401,
      error: { code: 'UNAUTHENTICATED', message: 'Unauthenticated: a bearer token is required.', reasons: ['Unauthenticated: a bearer token is required.'] },
    });
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="meshgate"');
  });

  it('401 for an invalid token, which is never echoed', async () => {
    const forged = `${testbed.tokens.admin.slice(0, -4)}AAAA`;
    const answer = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: forged, body: inventoryRegistration(testbed) });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe('UNAUTHENTICATED');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="meshgate", error="invalid_token"/);
    expect(answer.text).not.toContain(forged.slice(0, 40));
  });

  it('401 for a token of another audience', async () => {
    const token = await testbed.idp.mint({ kind: 'app', roles: ['Meshgate.Admin'], audience: DEMO_APPS.customers.appIdUri });
    expect((await admin(gw.url, 'GET', '/admin/subgraphs', { token })).status).toBe(401);
  });

  it('403 for a valid token without the admin role that owns nothing, whatever it asks', async () => {
    const message = 'the admin API needs an admin app role, or the ownership of a registered subgraph';
    const expected = { status: 403, error: { code: 'FORBIDDEN', message, reasons: [message] } };
    const token = testbed.tokens.stranger;
    expect(error(await admin(gw.url, 'GET', '/admin/subgraphs', { token }))).toEqual(expected);
    expect(error(await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token }))).toEqual(expected);
    expect(error(await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token, body: inventoryRegistration(testbed) }))).toEqual(expected);
    expect(error(await admin(gw.url, 'PUT', '/admin/subgraphs/rogue', { token, raw: '{not json' }))).toEqual(expected);
    expect(error(await admin(gw.url, 'DELETE', '/admin/subgraphs/inventory?force=true', { token }))).toEqual(expected);
    expect(error(await admin(gw.url, 'POST', '/admin/check', { token, body: { name: 'inventory', ...inventoryRegistration(testbed) } }))).toEqual(expected);
  });

  it('a delegated scope named like the admin role is not the role', async () => {
    const token = await testbed.idp.mint({ kind: 'user', scopes: ['Meshgate.Admin'] });
    expect((await admin(gw.url, 'GET', '/admin/subgraphs', { token })).status).toBe(403);
  });

  it('an owner (its app) sees and changes only its own subgraphs', async () => {
    const token = testbed.tokens.owner;
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token });
    expect(list.status).toBe(200);
    expect(list.body.subgraphs?.map((s) => s['name'])).toEqual(['inventory']);
    expect(error(await admin(gw.url, 'GET', '/admin/subgraphs/shelf-1', { token }))).toEqual({
      status: 403,
      error: { code: 'FORBIDDEN', message: 'you do not own subgraph "shelf-1"', reasons: ['you do not own subgraph "shelf-1"'] },
    });
    expect(error(await admin(gw.url, 'GET', '/admin/subgraphs/orders', { token }))).toMatchObject({ status: 403 });
    expect(error(await admin(gw.url, 'DELETE', '/admin/subgraphs/shelf-1?force=true', { token }))).toMatchObject({ status: 403, error: { code: 'FORBIDDEN' } });
    const message = 'only admins may register a new subgraph; ask one to register "rogue" with you as owner';
    expect(error(await admin(gw.url, 'PUT', '/admin/subgraphs/rogue', { token, body: { url: shelf.url, audience: 'api://rogue' } }))).toEqual({
      status: 403,
      error: { code: 'FORBIDDEN', message, reasons: [message] },
    });
    const own = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token, body: inventoryRegistration(testbed) });
    expect(own.status).toBe(200);
  });

  it('an owner may not hand its subgraph to someone else, move it to another audience, nor forward callers\' tokens', async () => {
    const token = testbed.tokens.owner;
    const audience = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token, body: inventoryRegistration(testbed, { audience: 'api://payroll' }) });
    expect(error(audience)).toEqual({ status: 403, error: { code: 'FORBIDDEN', message: 'only admins may change the audience of a subgraph', reasons: ['only admins may change the audience of a subgraph'] } });
    const owner = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token, body: inventoryRegistration(testbed, { owner: DEMO_APPS.agent.clientId }) });
    expect(error(owner)).toEqual({ status: 403, error: { code: 'FORBIDDEN', message: 'only admins may change the owner of a subgraph', reasons: ['only admins may change the owner of a subgraph'] } });
    const forward = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token, body: inventoryRegistration(testbed, { token: 'forward' }) });
    expect(forward.status).toBe(403);
    expect(forward.body.error?.message).toBe('token: "forward" sends callers\' own gateway tokens to the subgraph; only admins may choose it');
  });

  it('a person owns through a group in the groups claim', async () => {
    const token = testbed.tokens.groupMember;
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token });
    expect(list.body.subgraphs?.map((s) => s['name'])).toEqual(['shelf-1']);
    const put = await admin(gw.url, 'PUT', '/admin/subgraphs/shelf-1', { token, body: { url: shelf.url, audience: SHELF_APPS[0]!.appIdUri } });
    expect(put.status).toBe(200);
    // Leaving `owner` out keeps it.
    expect(put.body.subgraph).toMatchObject({ name: 'shelf-1', owner: INVENTORY_GROUP_ID, updatedBy: { kind: 'person' } });
    expect((await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token })).status).toBe(403);
  });
});

describe('bad input gets a 4xx with the reason, never a 500, and changes nothing', () => {
  const put = (body: unknown, path = '/admin/subgraphs/inventory', headers: Record<string, string> = {}) =>
    admin(gw.url, 'PUT', path, { token: testbed.tokens.admin, body, headers });
  const refused = (status: number, code: string, message: string, reasons: string[] = [message]) => ({ status, error: { code, message, reasons } });

  it('invalid JSON: 400, without quoting the body', async () => {
    const secret = testbed.tokens.reader;
    const answer = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, raw: `{"url": "${secret}` });
    expect(error(answer)).toEqual(refused(400, 'BAD_REQUEST', `the body is not valid JSON (at offset ${secret.length + 9})`));
    expect(answer.text).not.toContain(secret.slice(0, 40));
  });

  it('not an object, unknown fields, missing or wrong fields: 400 naming them', async () => {
    expect(error(await put([1, 2]))).toEqual(refused(400, 'BAD_REQUEST', 'the body must be a JSON object: { name, url, audience, token?, scope?, exchange?, owner? }'));
    expect(error(await put(inventoryRegistration(testbed, { audiance: 'api://inventory' })))).toEqual(refused(400, 'BAD_REQUEST', 'unknown field "audiance"'));
    expect(error(await put({ audience: INVENTORY_APP.appIdUri }))).toEqual(refused(400, 'BAD_REQUEST', 'url: is required'));
    expect(error(await put(inventoryRegistration(testbed, { url: 'not a url' })))).toEqual(refused(400, 'BAD_REQUEST', 'url: must be an absolute http(s) URL'));
    expect(error(await put(inventoryRegistration(testbed, { url: 'file:///etc/passwd' })))).toEqual(refused(400, 'BAD_REQUEST', 'url: must be an http(s) URL'));
    expect(error(await put(inventoryRegistration(testbed, { url: 'http://user:pw@127.0.0.1:1/graphql' })))).toEqual(
      refused(400, 'BAD_REQUEST', 'url: must not contain credentials (user:password@)'),
    );
    expect(error(await put(inventoryRegistration(testbed, { token: 'steal' })))).toMatchObject({ status: 400, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^token: /) } });
    expect(error(await put({ url: testbed.inventory.url }))).toEqual(
      refused(400, 'BAD_REQUEST', 'audience: is required when token is "exchange" (the subgraph accepts only tokens of its own audience)'),
    );
    expect(error(await put(inventoryRegistration(testbed, { name: 'other' })))).toEqual(refused(400, 'BAD_REQUEST', 'name: "other" does not match the subgraph in the URL ("inventory")'));
    expect(error(await put(inventoryRegistration(testbed), '/admin/subgraphs/Not_A_Name'))).toEqual(
      refused(400, 'BAD_REQUEST', 'subgraph name in the URL must be lowercase letters, digits and "-", starting with a letter'),
    );
  });

  it('credentials or endpoints in a registration: 400 (they belong in the config file)', async () => {
    const answer = await put(inventoryRegistration(testbed, { exchange: { tokenEndpoint: 'https://evil.example/token', clientSecret: 'x' } }));
    expect(error(answer)).toEqual(
      refused(400, 'BAD_REQUEST', 'exchange: unknown fields "tokenEndpoint", "clientSecret"; a registration may set only grant and appCallers (endpoints and credentials belong in the config file)'),
    );
    expect(error(await put(inventoryRegistration(testbed, { scope: 'api://customers/Customers.Read' })))).toEqual(
      refused(400, 'BAD_REQUEST', 'scope: "api://customers/Customers.Read" is not a permission of the audience; use a bare name or "api://inventory/<name>"'),
    );
  });

  it('name and audience collisions: 409; the gateway\'s own audience: 422', async () => {
    expect(error(await put({ url: testbed.inventory.url, audience: 'api://elsewhere' }, '/admin/subgraphs/orders'))).toEqual(
      refused(409, 'CONFLICT', 'subgraph "orders" is defined in the config file; change it there'),
    );
    expect(error(await put({ url: testbed.inventory.url, audience: 'API://Customers/' }, '/admin/subgraphs/crm-copy'))).toEqual(
      refused(409, 'CONFLICT', 'audience "API://Customers/" is already used by subgraph "customers"; each subgraph needs an audience of its own'),
    );
    expect(error(await put({ url: testbed.inventory.url, audience: 'api://meshgate' }, '/admin/subgraphs/echo'))).toEqual(
      refused(422, 'REGISTRATION_REFUSED', 'audience: "api://meshgate" is the gateway\'s own audience; a subgraph must have an audience of its own'),
    );
    expect(error(await admin(gw.url, 'DELETE', '/admin/subgraphs/customers?force=true', { token: testbed.tokens.admin }))).toEqual(
      refused(409, 'CONFLICT', 'subgraph "customers" is defined in the config file; remove it there'),
    );
  });

  it('preconditions, sizes, media types, routes and methods', async () => {
    expect(error(await put(inventoryRegistration(testbed), '/admin/subgraphs/inventory', { 'if-none-match': '*' }))).toEqual(
      refused(412, 'PRECONDITION_FAILED', 'subgraph "inventory" is already registered (If-None-Match: *); use update'),
    );
    expect(error(await put(inventoryRegistration(testbed, { owner: 'x'.repeat(70_000) })))).toEqual(refused(413, 'PAYLOAD_TOO_LARGE', 'the body is larger than 65536 bytes'));
    const text = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, raw: 'url=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(error(text)).toEqual(refused(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (content-type: application/json)'));
    expect(error(await admin(gw.url, 'GET', '/admin/nothing', { token: testbed.tokens.admin }))).toEqual(refused(404, 'NOT_FOUND', 'no admin resource at /admin/nothing'));
    expect(error(await admin(gw.url, 'GET', '/admin/subgraphs/absent', { token: testbed.tokens.admin }))).toEqual(refused(404, 'NOT_FOUND', 'no registered subgraph "absent"'));
    const post = await admin(gw.url, 'POST', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: {} });
    expect(error(post)).toEqual(refused(405, 'METHOD_NOT_ALLOWED', 'POST is not allowed here; use GET or PUT or DELETE'));
    expect(post.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect(error(await admin(gw.url, 'PUT', '/admin/subgraphs/inventory?force=maybe', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) }))).toEqual(
      refused(400, 'BAD_REQUEST', 'force: must be true or false'),
    );
  });

  it('left the registry as it was', async () => {
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body.subgraphs?.filter((s) => s['origin'] === 'registry').map((s) => [s['name'], s['owner']])).toEqual([
      ['inventory', INVENTORY_TEAM_APP.clientId],
      ['shelf-1', INVENTORY_GROUP_ID],
    ]);
    // setup (2) + the owner's and the group member's accepted updates (2)
    expect(list.body.version).toBe(4);
  });
});

describe('a gateway whose subgraphs all come from the registry', () => {
  it('starts without a graph (503, saying why) and serves from the first registration on', async () => {
    const empty = await testbed.startGateway({ subgraphs: [], registry: { path: join(dirname(testbed.storePath), 'empty', 'registry.json'), refreshInterval: 0 } });
    try {
      const before = await fetch(`${empty.url}/readyz`);
      expect({ status: before.status, body: await before.json() }).toEqual({
        status: 503,
        body: { status: 'starting', reason: 'no subgraph registered yet: register one with PUT /admin/subgraphs/{name}', subgraphs: [], registry: { version: 0 } },
      });
      const put = await admin(empty.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
      expect(put).toMatchObject({ status: 200, body: { version: 1, changes: [], graph: { subgraphs: ['inventory'] } } });
      const after = await fetch(`${empty.url}/readyz`);
      expect({ status: after.status, body: await after.json() }).toEqual({ status: 200, body: { status: 'ready', subgraphs: ['inventory'], registry: { version: 1 } } });
      const { status, body } = await graphql(empty.graphqlUrl, '{ product(sku: "P-100") { name stock } }', { token: testbed.tokens.reader });
      expect({ status, body }).toEqual({ status: 200, body: { data: { product: { name: 'Ledger paper', stock: 1200 } } } });
      // The last subgraph cannot be removed: the gateway would have nothing to serve.
      const removed = await admin(empty.url, 'DELETE', '/admin/subgraphs/inventory?force=true', { token: testbed.tokens.admin });
      expect(error(removed)).toEqual({
        status: 422,
        error: { code: 'REGISTRATION_REFUSED', message: 'the graph would have no subgraphs left; the gateway needs at least one', reasons: ['the graph would have no subgraphs left; the gateway needs at least one'] },
      });
    } finally {
      await empty.close();
    }
  });
});

describe('gateways without the admin API', () => {
  it('answers 404 on /admin without a registry, and does not serve /admin at all when admin is off', async () => {
    const plain = await testbed.startGateway({ registry: undefined });
    try {
      const answer = await admin(plain.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
      expect(error(answer)).toEqual({
        status: 404,
        error: { code: 'NOT_FOUND', message: 'the registry is not configured on this gateway (registry: in the config)', reasons: ['the registry is not configured on this gateway (registry: in the config)'] },
      });
    } finally {
      await plain.close();
    }
    const off = await testbed.startGateway({ admin: { enabled: false } });
    try {
      const answer = await admin(off.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
      expect(answer.status).toBe(404);
      expect(answer.body.error).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
