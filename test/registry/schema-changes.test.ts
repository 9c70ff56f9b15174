import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Requirement } from '../../src/authz/requirement.js';
import { GraphManager, type LoadedSubgraph } from '../../src/registry/graph-manager.js';
import { isWeaker } from '../../src/registry/auth-rule-changes.js';
import { declaredBy, schemaChanges } from '../../src/registry/schema-changes.js';
import { composeGraph, type ComposedGraph } from '../../src/stitching/compose-graph.js';
import { parseSdl } from '../../src/stitching/load-subgraph-sdl.js';
import type { SubgraphTokenPolicy } from '../../src/exchange/exchange-settings.js';
import { INVENTORY_V2 } from './inventory-subgraph.js';

const rule = (...alternatives: string[][]): Requirement => ({ authenticated: true, scopes: [alternatives] });
const AUTHENTICATED: Requirement = { authenticated: true, scopes: [] };

describe('isWeaker: can some caller now meet the rule who could not before?', () => {
  it.each([
    ['a rule dropped', rule(['A']), undefined, true],
    ['scopes dropped down to @authenticated', rule(['A']), AUTHENTICATED, true],
    ['@authenticated dropped', AUTHENTICATED, undefined, true],
    ['an alternative added (A or B)', rule(['A']), rule(['A'], ['B']), true],
    ['a scope removed from an AND', rule(['A', 'B']), rule(['A']), true],
    ['unchanged', rule(['A']), rule(['A']), false],
    ['a scope added to the AND', rule(['A']), rule(['A', 'B']), false],
    ['an alternative removed', rule(['A'], ['B']), rule(['A']), false],
    ['scopes added to @authenticated', AUTHENTICATED, rule(['A']), false],
    ['a rule where there was none', undefined, rule(['A']), false],
    ['two rules combined, one kept', { authenticated: true, scopes: [[['A']], [['B']]] }, rule(['A']), true],
  ] as const)('%s', (_, before, after, weaker) => {
    expect(isWeaker(before as Requirement | undefined, after as Requirement | undefined)).toBe(weaker);
  });
});

function sample(name: string, sdl = readFileSync(`subgraphs/${name}/typeDefs.graphql`, 'utf8')) {
  return { name, sdl: { sdl, document: parseSdl(name, sdl) }, executor: (() => ({})) as never };
}
const SAMPLES = ['customers', 'orders', 'knowledge'];
const compose = (replace: Record<string, string> = {}): ComposedGraph =>
  composeGraph(SAMPLES.map((name) => (replace[name] ? sample(name, replace[name]) : sample(name))));
const orders = readFileSync('subgraphs/orders/typeDefs.graphql', 'utf8');

describe('schemaChanges', () => {
  it('finds a loosened rule: an alternative added', async () => {
    const loosened = orders.replace('total: Float @requiresScopes(scopes: [["Orders.Read"]])', 'total: Float @requiresScopes(scopes: [["Orders.Read"], ["Orders.Summary"]])');
    expect(await schemaChanges(compose(), compose({ orders: loosened }))).toEqual([
      {
        kind: 'auth-weakened',
        type: 'AUTH_RULE_WEAKENED',
        coordinate: 'Order.total',
        message: 'Access rule on Order.total was loosened from @requiresScopes(scopes: [["Orders.Read"]]) to @requiresScopes(scopes: [["Orders.Read"],["Orders.Summary"]])',
      },
    ]);
  });

  it('reports a changed field type as breaking and a new field as safe', async () => {
    const changed = orders.replace('placedAt: String!', 'placedAt: Int!').replace('currency: String!', 'currency: String!\n  channel: String');
    expect(await schemaChanges(compose(), compose({ orders: changed }))).toEqual([
      { kind: 'breaking', type: 'FIELD_TYPE_CHANGED', coordinate: 'Order.placedAt', message: "Field 'Order.placedAt' changed type from 'String!' to 'Int!'" },
      { kind: 'safe', type: 'FIELD_ADDED', coordinate: 'Order.channel', message: "Field 'channel' was added to object type 'Order'" },
    ]);
  });

  it('marks changes to what other subgraphs declare as shared', async () => {
    const others = SAMPLES.filter((n) => n !== 'orders').map((n) => sample(n).sdl.document);
    expect(declaredBy(others, 'Customer.name')).toBe(true);
    expect(declaredBy(others, 'Customer.orders')).toBe(false);
    expect(declaredBy(others, 'Customer')).toBe(true);
    expect(declaredBy(others, 'Order.total')).toBe(false);
    expect(declaredBy(others, 'Segment.SMB')).toBe(true);
  });
});

describe('GraphManager', () => {
  const policy = (name: string): SubgraphTokenPolicy => ({ subgraph: name, mode: 'none', audience: undefined, scope: undefined, exchange: undefined }) as unknown as SubgraphTokenPolicy;
  const loaded = (name: string, sdl = readFileSync(`subgraphs/${name}/typeDefs.graphql`, 'utf8')): LoadedSubgraph => ({
    endpoint: { name, url: `http://127.0.0.1:9/${name}`, policy: policy(name), origin: 'registry' },
    sdl: { sdl, document: parseSdl(name, sdl) },
  });

  // Regression: stitching writes merged directive arguments into the SDL documents it is given;
  // recomposing from the same documents turned Customer's rule into "Customers.Read OR Inventory.Read".
  it('keeps every subgraph\'s access rules however often it recomposes', async () => {
    const manager = new GraphManager({ build: (subgraphs) => ({ graph: composeGraph(subgraphs.map((s) => ({ name: s.endpoint.name, sdl: s.sdl, executor: (() => ({})) as never }))) }) });
    const base = new Map(SAMPLES.map((name) => [name, loaded(name)]));
    await manager.start([...base.values()], []);
    const tightened = INVENTORY_V2.replace('type Customer @key(selectionSet: "{ id }") {', 'type Customer @key(selectionSet: "{ id }") @requiresScopes(scopes: [["Inventory.Read"]]) {');
    const withInventory = new Map(base).set('inventory', loaded('inventory', tightened));
    for (let i = 0; i < 3; i++) {
      const candidate = await manager.prepare(withInventory, { changed: 'inventory' });
      expect(candidate.changes.filter((c) => c.type.startsWith('AUTH_RULE') && c.coordinate === 'Customer')).toEqual([
        {
          kind: 'breaking',
          type: 'AUTH_RULE_TIGHTENED',
          coordinate: 'Customer',
          message: 'Access rule on Customer was tightened from @requiresScopes(scopes: [["Customers.Read"]]) to @requiresScopes(scopes: [["Customers.Read","Inventory.Read"]]): some callers will get null, on what other subgraphs also serve',
          shared: true,
        },
      ]);
    }
    const again = await manager.prepare(base);
    expect(again.changes).toEqual([]);
    expect(again.state.graph.rules.typeRule('Customer')).toEqual({ authenticated: true, scopes: [[['Customers.Read']]] });
  });

  it('refuses to leave the graph without subgraphs', async () => {
    const manager = new GraphManager({ build: () => ({ graph: compose() }) });
    await expect(manager.prepare(new Map())).rejects.toThrow('the graph would have no subgraphs left; the gateway needs at least one');
  });
});
