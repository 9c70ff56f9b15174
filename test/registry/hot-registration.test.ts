import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../e2e/support.js';
import {
  INVENTORY_APP,
  INVENTORY_BREAKING,
  INVENTORY_DROPPED_RULE,
  INVENTORY_NOT_COMPOSING,
  INVENTORY_TEAM_APP,
  INVENTORY_V2,
  startInventorySubgraph,
  type InventorySubgraph,
} from './inventory-subgraph.js';
import { admin, CUSTOMER_QUERY, INVENTORY_DATA, INVENTORY_QUERY, inventoryRegistration, startTestbed, type AdminAnswer, type RunningGateway, type Testbed } from './support.js';

let testbed: Testbed;
let gw: RunningGateway;
beforeAll(async () => {
  testbed = await startTestbed();
  gw = await testbed.startGateway();
});
afterAll(async () => {
  await testbed?.close();
});

const CUSTOMER_DATA = { customer: { id: 'C-0001', name: expect.any(String), orders: [{ number: expect.stringMatching(/^SO-/) }] } };

/** The sample graph answers, whatever the registry is doing. */
async function expectGraphServing(): Promise<void> {
  const { status, body } = await graphql(gw.graphqlUrl, CUSTOMER_QUERY, { token: testbed.tokens.reader });
  expect({ status, body }).toEqual({ status: 200, body: { data: CUSTOMER_DATA } });
}

function storeText(): string {
  return readFileSync(testbed.storePath, 'utf8');
}

describe('registering a fourth subgraph without a restart', () => {
  it('is refused before: the graph has no inventory fields', async () => {
    const { status, body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    expect({ status, body }).toEqual({
      status: 200,
      body: {
        errors: [
          { message: 'Cannot query field "products" on type "Query".', locations: expect.any(Array), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          { message: 'Cannot query field "favouriteProduct" on type "Customer".', locations: expect.any(Array), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ],
      },
    });
  });

  it('registers inventory (PUT), answers 200 with the composed result, and serves it at once', async () => {
    const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      dryRun: false,
      version: 1,
      forced: false,
      subgraph: {
        name: 'inventory',
        origin: 'registry',
        url: testbed.inventory.url,
        audience: INVENTORY_APP.appIdUri,
        token: 'exchange',
        owner: INVENTORY_TEAM_APP.clientId,
        sdlSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        updatedBy: { clientId: expect.any(String), objectId: expect.any(String), kind: 'app' },
        serving: true,
      },
      changes: expect.arrayContaining([
        { kind: 'safe', type: 'FIELD_ADDED', coordinate: 'Query.products', message: "Field 'products' was added to object type 'Query'" },
        { kind: 'safe', type: 'AUTH_RULE_ADDED', coordinate: 'Product.stock', message: 'Access rule @requiresScopes(scopes: [["Inventory.Read"]]) was added on Product.stock' },
      ]),
      graph: { subgraphs: ['customers', 'orders', 'knowledge', 'inventory'], types: expect.any(Number), rootFields: expect.any(Number), rules: expect.any(Number) },
    });
    expect(put.body.changes?.every((c) => c.kind === 'safe' || c.kind === 'dangerous')).toBe(true);

    const { status, body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    expect({ status, body }).toEqual({ status: 200, body: { data: INVENTORY_DATA } });
    // The inventory subgraph received the gateway's delegation (with a token of its own audience: it checks).
    expect(testbed.inventory.operations.some((op) => op.includes('products'))).toBe(true);
  });

  it('enforces the new subgraph\'s own rules: stock needs Inventory.Read', async () => {
    const token = await testbed.idp.mint({ kind: 'user', scopes: ['Customers.Read', 'Orders.Read'] });
    const { status, body } = await graphql(gw.graphqlUrl, '{ product(sku: "P-300") { sku name stock } }', { token });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { product: { sku: 'P-300', name: 'Brass compass', stock: null } },
      errors: [
        {
          message: 'Not authorized to read Product.stock: needs scope Inventory.Read.',
          locations: expect.any(Array),
          path: ['product', 'stock'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Product.stock', requiredScopes: [['Inventory.Read']], missingScopes: [['Inventory.Read']] },
        },
      ],
    });
  });

  it('lists it and shows it (GET), with the config subgraphs beside it for admins', async () => {
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.status).toBe(200);
    expect(list.body.version).toBe(1);
    expect(list.body.subgraphs?.map((s) => [s['name'], s['origin'], s['serving']])).toEqual([
      ['customers', 'config', true],
      ['orders', 'config', true],
      ['knowledge', 'config', true],
      ['inventory', 'registry', true],
    ]);
    const one = await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token: testbed.tokens.owner });
    expect(one.status).toBe(200);
    expect(one.body.subgraph).toMatchObject({ name: 'inventory', origin: 'registry', owner: INVENTORY_TEAM_APP.clientId, serving: true });
  });

  it('updates it (PUT by its owner): a compatible change is served at once', async () => {
    testbed.inventory.setSdl(INVENTORY_V2);
    const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 2, forced: false, subgraph: { name: 'inventory', updatedBy: { clientId: INVENTORY_TEAM_APP.clientId, kind: 'app' } } });
    expect(put.body.changes).toEqual([
      { kind: 'safe', type: 'FIELD_ADDED', coordinate: 'Product.warehouse', message: "Field 'warehouse' was added to object type 'Product'" },
      { kind: 'safe', type: 'FIELD_DESCRIPTION_ADDED', coordinate: 'Product.warehouse', message: "Field 'Product.warehouse' has description 'Where the stock is kept.'" },
    ]);
    const { status, body } = await graphql(gw.graphqlUrl, '{ product(sku: "P-100") { sku warehouse } }', { token: testbed.tokens.reader });
    expect({ status, body }).toEqual({ status: 200, body: { data: { product: { sku: 'P-100', warehouse: 'Rotterdam' } } } });
  });
});

describe('a bad registration never breaks the graph', () => {
  /**
   * The team deploys its next version beside the running one and registers that URL: the
   * running inventory keeps answering whatever the gateway decides.
   */
  async function nextVersion(sdl: string): Promise<InventorySubgraph> {
    const next = await startInventorySubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, sdl);
    staging.push(next);
    return next;
  }
  const staging: InventorySubgraph[] = [];
  afterAll(async () => {
    for (const next of staging) await next.close();
  });

  async function expectRefused(path: string, init: { token: string; body: unknown; method?: string }): Promise<AdminAnswer> {
    const before = storeText();
    const during = graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    const answer = await admin(gw.url, init.method ?? 'PUT', path, { token: init.token, body: init.body });
    const [served] = await Promise.all([during, expectGraphServing()]);
    // Queries were answered during and after the refusal, on the unchanged graph.
    expect({ status: served.status, body: served.body }).toEqual({ status: 200, body: { data: INVENTORY_DATA } });
    const after = await graphql(gw.graphqlUrl, '{ product(sku: "P-100") { sku name warehouse stock } }', { token: testbed.tokens.reader });
    expect(after.body).toEqual({ data: { product: { sku: 'P-100', name: 'Ledger paper', warehouse: 'Rotterdam', stock: 1200 } } });
    // The store is byte for byte what it was.
    expect(storeText()).toBe(before);
    return answer;
  }

  it('refuses an SDL that does not compose, with the reason', async () => {
    const next = await nextVersion(INVENTORY_NOT_COMPOSING);
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: {
        code: 'REGISTRATION_REFUSED',
        message: 'subgraphs do not compose: Cannot merge different type categories into common type Customer.',
        reasons: ['subgraphs do not compose: Cannot merge different type categories into common type Customer.'],
      },
    });
  });

  it('refuses an SDL that does not parse, naming the position', async () => {
    const next = await nextVersion(INVENTORY_V2);
    next.setSdl('type Product {\n  sku: ID!\n');
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toEqual({
      code: 'REGISTRATION_REFUSED',
      message: 'subgraph "inventory": SDL does not parse: Syntax Error: Expected Name, found <EOF>.',
      reasons: ['subgraph "inventory": SDL does not parse: Syntax Error: Expected Name, found <EOF>.'],
    });
  });

  it('refuses an authorization directive meshgate cannot enforce', async () => {
    const next = await nextVersion(INVENTORY_V2);
    next.setSdl(INVENTORY_V2.replace('stock: Int @requiresScopes(scopes: [["Inventory.Read"]])', 'stock(unit: String @authenticated): Int @requiresScopes(scopes: [["Inventory.Read"]])'));
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(422);
    const message = 'inventory: Product.stock(unit:): @authenticated is not supported here; meshgate enforces rules on fields, objects, interfaces, scalars and enums';
    expect(answer.body.error).toEqual({ code: 'REGISTRATION_REFUSED', message, reasons: [message] });
  });

  it('refuses an unreachable URL, with the reason', async () => {
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: 'http://127.0.0.1:1/graphql' }) });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: {
        code: 'REGISTRATION_REFUSED',
        message: expect.stringMatching(/^subgraph "inventory": http:\/\/127\.0\.0\.1:1\/graphql did not answer \(.+\)$/),
        reasons: [expect.stringContaining('did not answer')],
      },
    });
  });

  it('refuses a dropped authorization rule, listing it', async () => {
    const next = await nextVersion(INVENTORY_DROPPED_RULE);
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(422);
    const message = 'Access rule on Product.stock was removed (was @requiresScopes(scopes: [["Inventory.Read"]])): callers without it would read it';
    expect(answer.body).toEqual({
      error: {
        code: 'REGISTRATION_REFUSED',
        message: '1 breaking change(s) or weakened access rule(s); fix them, or send again with ?force=true to accept them',
        reasons: [message],
        changes: [{ kind: 'auth-weakened', type: 'AUTH_RULE_REMOVED', coordinate: 'Product.stock', message }],
      },
    });
  });

  it('refuses a breaking change, listing it', async () => {
    const next = await nextVersion(INVENTORY_BREAKING);
    const answer = await expectRefused('/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: {
        code: 'REGISTRATION_REFUSED',
        message: '1 breaking change(s) or weakened access rule(s); fix them, or send again with ?force=true to accept them',
        reasons: ["Field 'name' was removed from object type 'Product'"],
        changes: [{ kind: 'breaking', type: 'FIELD_REMOVED', coordinate: 'Product.name', message: "Field 'name' was removed from object type 'Product'" }],
      },
    });
  });

  it('audits every refusal with its reasons', () => {
    const refused = gw.audit.events.filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.action, e.subgraphs, e.reasons.length > 0])).toEqual(Array.from({ length: 6 }, () => ['update', ['inventory'], true]));
    expect(refused[4]?.changes).toEqual([{ kind: 'auth-weakened', type: 'AUTH_RULE_REMOVED', coordinate: 'Product.stock', message: expect.any(String) }]);
  });
});

describe('forcing, and what force cannot do', () => {
  const staging: InventorySubgraph[] = [];
  afterAll(async () => {
    for (const next of staging) await next.close();
  });
  async function deploy(sdl: string): Promise<InventorySubgraph> {
    const next = await startInventorySubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, sdl);
    staging.push(next);
    return next;
  }

  it('refuses a rule tightened on what other data products serve: one subgraph cannot lock everybody out of Customer', async () => {
    const next = await deploy(INVENTORY_V2.replace('type Customer @key(selectionSet: "{ id }") {', 'type Customer @key(selectionSet: "{ id }") @requiresScopes(scopes: [["Inventory.Read"]]) {'));
    const answer = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    const message = 'Access rule on Customer was tightened from @requiresScopes(scopes: [["Customers.Read"]]) to @requiresScopes(scopes: [["Customers.Read","Inventory.Read"]]): some callers will get null, on what other subgraphs also serve';
    expect(answer.status).toBe(422);
    expect(answer.body.error).toEqual({
      code: 'REGISTRATION_REFUSED',
      message: '1 breaking change(s) or weakened access rule(s); fix them, or send again with ?force=true to accept them',
      reasons: [message],
      changes: [{ kind: 'breaking', type: 'AUTH_RULE_TIGHTENED', coordinate: 'Customer', message, shared: true }],
    });
    // Forcing it is not the owner's call: Customer belongs to other teams too.
    const forced = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory?force=true', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(forced.status).toBe(403);
    expect(forced.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'forcing 1 breaking change(s) to what other subgraphs also serve needs an admin', reasons: [message] });
    await expectGraphServing();
  });

  it('applies a breaking change of its own with ?force=true, and still reports it in the response and the audit log', async () => {
    const before = (await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token: testbed.tokens.owner })).body.subgraph;
    const next = await deploy(INVENTORY_BREAKING);
    const answer = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory?force=true', { token: testbed.tokens.owner, body: inventoryRegistration(testbed, { url: next.url }) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dryRun: false, version: (before as { version?: number }).version ?? 3, forced: true });
    expect(answer.body.changes).toEqual([{ kind: 'breaking', type: 'FIELD_REMOVED', coordinate: 'Product.name', message: "Field 'name' was removed from object type 'Product'" }]);
    const event = gw.audit.events.at(-1);
    expect(event).toEqual({
      type: 'registry.change',
      time: expect.any(String),
      requestId: expect.any(String),
      action: 'update',
      subgraphs: ['inventory'],
      outcome: 'applied',
      version: 3,
      principal: { clientId: INVENTORY_TEAM_APP.clientId, objectId: expect.any(String), kind: 'app', admin: false },
      forced: true,
      changes: [{ kind: 'breaking', type: 'FIELD_REMOVED', coordinate: 'Product.name', message: "Field 'name' was removed from object type 'Product'" }],
      reasons: [],
    });
    const { body } = await graphql(gw.graphqlUrl, '{ product(sku: "P-200") { sku warehouse stock } }', { token: testbed.tokens.reader });
    expect(body).toEqual({ data: { product: { sku: 'P-200', warehouse: 'Lyon', stock: 85 } } });
  });
});

describe('removing a subgraph', () => {
  it('is a breaking change: refused without force, with the list of what callers lose', async () => {
    const answer = await admin(gw.url, 'DELETE', '/admin/subgraphs/inventory', { token: testbed.tokens.owner });
    expect(answer.status).toBe(422);
    expect(answer.body.error?.code).toBe('REGISTRATION_REFUSED');
    expect(answer.body.error?.changes?.filter((c) => c.kind === 'breaking').map((c) => c.coordinate)).toEqual(
      expect.arrayContaining(['Product', 'Query.product', 'Query.products', 'Customer.favouriteProduct']),
    );
    await expectGraphServing();
  });

  it('with force: requests in flight finish on the graph they started with, new ones get the graph without it', async () => {
    const release = testbed.inventory.hold();
    let inFlight: ReturnType<typeof graphql> | undefined;
    try {
      // Point the registration back at the running inventory (forced: name comes back, nothing breaks).
      const back = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed) });
      expect(back.status).toBe(200);
      inFlight = graphql(gw.graphqlUrl, '{ products { sku name } }', { token: testbed.tokens.reader });
      // Wait until the held request reached the subgraph: it is in flight on the graph with inventory.
      for (let i = 0; i < 500 && !testbed.inventory.operations.some((op) => op.includes('products') && op.includes('name')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const removed = await admin(gw.url, 'DELETE', '/admin/subgraphs/inventory?force=true', { token: testbed.tokens.owner });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ dryRun: false, version: 5, subgraph: null, forced: true, graph: { subgraphs: ['customers', 'orders', 'knowledge'] } });
    } finally {
      release();
    }
    const finished = await inFlight!;
    expect({ status: finished.status, body: finished.body }).toEqual({
      status: 200,
      body: { data: { products: INVENTORY_DATA.products.map(({ sku, name }) => ({ sku, name })) } },
    });
    const after = await graphql(gw.graphqlUrl, '{ products { sku } }', { token: testbed.tokens.reader });
    expect(after.body).toEqual({ errors: [{ message: 'Cannot query field "products" on type "Query".', locations: expect.any(Array), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    await expectGraphServing();
    const list = await admin(gw.url, 'GET', '/admin/subgraphs', { token: testbed.tokens.admin });
    expect(list.body.subgraphs?.map((s) => s['name'])).toEqual(['customers', 'orders', 'knowledge']);
    expect(gw.audit.events.at(-1)).toMatchObject({ action: 'remove', subgraphs: ['inventory'], outcome: 'applied', forced: true, version: 5 });
  });
});
