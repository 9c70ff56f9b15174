import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../e2e/support.js';
import { INVENTORY_BREAKING, INVENTORY_V2, SHELF_APPS, startShelfSubgraph, type TestSubgraph } from './inventory-subgraph.js';
import { admin, INVENTORY_DATA, INVENTORY_QUERY, inventoryRegistration, startTestbed, type RunningGateway, type Testbed } from './support.js';

/** The shelves in the order their concurrent registrations were serialized (from the store). */
let shelfOrder: string[] = [];
const registered = () => shelfOrder;

let testbed: Testbed;
let gw: RunningGateway;
const shelves: TestSubgraph[] = [];
beforeAll(async () => {
  testbed = await startTestbed();
  gw = await testbed.startGateway();
  for (const n of [1, 2, 3, 4, 5]) shelves.push(await startShelfSubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, n));
});
afterAll(async () => {
  for (const shelf of shelves) await shelf.close();
  await testbed?.close();
});

describe('POST /admin/check: the verdict of a PUT, and nothing changes', () => {
  it('accepts a good registration without registering it', async () => {
    const answer = await admin(gw.url, 'POST', '/admin/check', { token: testbed.tokens.admin, body: { name: 'inventory', ...inventoryRegistration(testbed) } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dryRun: true, version: 0, forced: false, subgraph: { name: 'inventory', serving: true }, graph: { subgraphs: ['customers', 'orders', 'knowledge', 'inventory'] } });
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body).toMatchObject({ version: 0 });
    expect(list.body.subgraphs?.map((s) => s['name'])).toEqual(['customers', 'orders', 'knowledge']);
    const { body } = await graphql(gw.graphqlUrl, '{ products { sku } }', { token: testbed.tokens.reader });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('needs the name in the body', async () => {
    const answer = await admin(gw.url, 'POST', '/admin/check', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'name: is required', reasons: ['name: is required'] } } });
  });
});

describe('concurrent registrations', () => {
  it('do not lose one another: five PUTs at once all end up in the graph and the store', async () => {
    const answers = await Promise.all(
      shelves.map((shelf, i) =>
        admin(gw.url, 'PUT', `/admin/subgraphs/shelf-${i + 1}`, { token: testbed.tokens.admin, body: { url: shelf.url, audience: SHELF_APPS[i]!.appIdUri } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    // Serialized: each saw its predecessors, so the versions are 1..5 in some order.
    expect(answers.map((a) => a.body.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body.version).toBe(5);
    expect(list.body.subgraphs?.filter((s) => s['origin'] === 'registry').map((s) => s['name']).sort()).toEqual(['shelf-1', 'shelf-2', 'shelf-3', 'shelf-4', 'shelf-5']);
    const stored = JSON.parse(readFileSync(testbed.storePath, 'utf8')) as { registry: { version: number; subgraphs: { name: string }[]; history: { version: number }[] } };
    expect(stored.registry.version).toBe(5);
    shelfOrder = stored.registry.subgraphs.map((s) => s.name);
    expect(stored.registry.subgraphs.map((s) => s.name).sort()).toEqual(['shelf-1', 'shelf-2', 'shelf-3', 'shelf-4', 'shelf-5']);
    expect(stored.registry.history.map((h) => h.version)).toEqual([4, 3, 2, 1, 0]);
    const { status, body } = await graphql(gw.graphqlUrl, '{ shelf1 { label } shelf2 { label } shelf3 { label } shelf4 { label } shelf5 { label } }', { token: testbed.tokens.reader });
    expect({ status, body }).toEqual({
      status: 200,
      body: { data: Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`shelf${n}`, [{ label: `shelf ${n}, first item` }]])) },
    });
  });
});

describe('restart', () => {
  it('serves the registry again from the store, without the subgraphs being asked first', async () => {
    const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
    expect(put.status).toBe(200);
    await gw.close();
    const sdlReads = () => testbed.inventory.operations.filter((op) => op.includes('_sdl')).length;
    const before = sdlReads();
    gw = await testbed.startGateway();
    // Registered subgraphs start on their stored, validated SDL: a restart does not depend on them.
    expect(sdlReads()).toBe(before);
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body.version).toBe(6);
    // Config subgraphs first, then registrations in the order they were made (the shelves raced).
    expect(list.body.subgraphs?.map((s) => [s['name'], s['serving']]).sort()).toEqual([
      ['customers', true],
      ['inventory', true],
      ['knowledge', true],
      ['orders', true],
      ['shelf-1', true],
      ['shelf-2', true],
      ['shelf-3', true],
      ['shelf-4', true],
      ['shelf-5', true],
    ]);
    expect(list.body.subgraphs?.at(-1)?.['name']).toBe('inventory');
    const { status, body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    expect({ status, body }).toEqual({ status: 200, body: { data: INVENTORY_DATA } });
  });
});

describe('periodic SDL refresh', () => {
  it('swaps in a compatible change', async () => {
    testbed.inventory.setSdl(INVENTORY_V2);
    await gw.gateway.registry!.refresh();
    const { body } = await graphql(gw.graphqlUrl, '{ product(sku: "P-300") { warehouse } }', { token: testbed.tokens.reader });
    expect(body).toEqual({ data: { product: { warehouse: 'Rotterdam' } } });
    const stored = JSON.parse(readFileSync(testbed.storePath, 'utf8')) as { registry: { version: number; change: unknown } };
    expect(stored.registry).toMatchObject({ version: 7, change: { action: 'refresh', subgraphs: ['inventory'], by: null, forced: false } });
  });

  it('keeps the last good version of an incompatible change and reports it (log, /readyz detail, admin API), still ready', async () => {
    testbed.inventory.setSdl(INVENTORY_BREAKING);
    try {
      await gw.gateway.registry!.refresh();
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        subgraphs: ['customers', 'orders', 'knowledge', ...registered(), 'inventory'],
        registry: { version: 7 },
        problems: [{ subgraph: 'inventory', problem: 'incompatible', since: expect.any(String) }],
      });
      const one = await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token: testbed.tokens.owner });
      expect(one.body.subgraph).toMatchObject({
        serving: true,
        problem: {
          kind: 'incompatible',
          reason: "not swapped in, serving the last good version: its new SDL has 1 breaking change(s) or weakened access rule(s): Field 'name' was removed from object type 'Product'",
          changes: [{ kind: 'breaking', type: 'FIELD_REMOVED', coordinate: 'Product.name', message: "Field 'name' was removed from object type 'Product'" }],
        },
      });
      // The graph still has Product.name (the subgraph itself no longer answers it: that is its team's to fix).
      const { body } = await graphql(gw.graphqlUrl, '{ __type(name: "Product") { fields { name } } }', { token: testbed.tokens.reader });
      expect(body).toEqual({ data: { __type: { fields: [{ name: 'sku' }, { name: 'name' }, { name: 'warehouse' }, { name: 'stock' }] } } });
    } finally {
      testbed.inventory.setSdl(INVENTORY_V2);
    }
    await gw.gateway.registry!.refresh();
    const ready = await fetch(`${gw.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', subgraphs: expect.any(Array), registry: { version: 7 } });
  });

  it('keeps the last good version of a subgraph that does not answer', async () => {
    await shelves[4]!.close();
    await gw.gateway.registry!.refresh();
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', problems: [{ subgraph: 'shelf-5', problem: 'unreachable', since: expect.any(String) }] });
    const { body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    expect(body).toEqual({ data: INVENTORY_DATA });
  });
});

describe('a store damaged on disk', () => {
  it('is detected at start: the gateway starts from the last good copy and says so', async () => {
    await gw.close();
    const text = readFileSync(testbed.storePath, 'utf8');
    // One changed character: valid JSON, wrong checksum.
    writeFileSync(testbed.storePath, text.replace('"shelf-1"', '"shelf-9"'));
    gw = await testbed.startGateway();
    const ready = await fetch(`${gw.url}/readyz`);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      registry: { version: 7, recovered: 'registry.json was damaged (checksum mismatch: changed outside meshgate or damaged on disk); started from the last good copy (version 7)' },
    });
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body.subgraphs?.filter((s) => s['origin'] === 'registry').map((s) => s['name'])).toEqual([...registered(), 'inventory']);
    // The damaged file is kept for inspection; the main file is good again.
    expect(readdirSync(dirname(testbed.storePath)).filter((f) => f.startsWith('registry.json.damaged-'))).toHaveLength(1);
  });

  it('refuses to start with one clear line when no good copy is left, never with an empty registry', async () => {
    await gw.close();
    writeFileSync(testbed.storePath, '{"format":"meshgate-registry/1","sha2');
    writeFileSync(`${testbed.storePath}.bak`, '');
    await expect(testbed.startGateway()).rejects.toThrow(
      `registry: ${testbed.storePath} is damaged (not valid JSON) and its copy registry.json.bak is damaged too (empty file); restore it from a backup, or move both away to start with an empty registry`,
    );
  });
});


