import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { DEMO_SCOPES } from '../../src/idp/demo-directory.js';
import { dataOf, ids, startIdp, startSubgraph, type RunningSubgraph, type SubgraphName } from './support.js';

let idp: DevIdentityProvider;
const started: RunningSubgraph[] = [];

beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  for (const subgraph of started) await subgraph.close();
  await idp.close();
});

async function start(name: SubgraphName, seed?: number): Promise<RunningSubgraph> {
  const subgraph = await startSubgraph(idp, name, seed === undefined ? {} : { seed });
  started.push(subgraph);
  return subgraph;
}

const SNAPSHOT: Record<SubgraphName, string[]> = {
  customers: [0, 100, 200].map((offset) => `{ customers(first: 100, offset: ${offset}) { id name segment region customerSince email phone } }`),
  orders: [0, 100, 1400].map((offset) => `{ orders(first: 100, offset: ${offset}) { id number placedAt status currency total customer { id } lines { sku product quantity unitPrice amount } } }`),
  knowledge: [`{ documents(first: 100) { id title summary body classification tags updatedAt customer { id } } search(query: "renewal risk", first: 10) { score snippet document { id } } }`],
};

async function snapshot(subgraph: RunningSubgraph): Promise<unknown[]> {
  const token = await subgraph.token({ scopes: [...DEMO_SCOPES.filter((s) => s.startsWith(subgraph.name === 'orders' ? 'Orders' : subgraph.name === 'customers' ? 'Customers' : 'Knowledge'))] });
  const results = [];
  for (const query of SNAPSHOT[subgraph.name]) results.push(dataOf(await subgraph.query(query, { token })));
  return results;
}

describe('sample data', () => {
  it.each(['customers', 'orders', 'knowledge'] as const)('%s: two instances with the same seed hold the same data', async (name) => {
    const [a, b] = [await start(name), await start(name)];
    expect(await snapshot(b)).toEqual(await snapshot(a));
  });

  it.each(['customers', 'orders', 'knowledge'] as const)('%s: another seed gives other data', async (name) => {
    const [a, b] = [await start(name), await start(name, 7)];
    expect(await snapshot(b)).not.toEqual(await snapshot(a));
  });

  it('orders and documents refer to the customers of the CRM with the same seed', async () => {
    const [customers, orders, knowledge] = [await start('customers', 99), await start('orders', 99), await start('knowledge', 99)];
    const known = new Set<string>();
    for (let offset = 0; offset < 300; offset += 100) {
      const { customers: page } = dataOf(await customers.query(`{ customers(first: 100, offset: ${offset}) { id } }`)) as { customers: { id: string }[] };
      for (const c of page) known.add(c.id);
    }
    expect([...known]).toEqual(ids(1, 300));

    const referenced = new Set<string>();
    for (let offset = 0; ; offset += 100) {
      const { orders: page } = dataOf(await orders.query(`{ orders(first: 100, offset: ${offset}) { customer { id } } }`)) as { orders: { customer: { id: string } }[] };
      for (const o of page) referenced.add(o.customer.id);
      if (page.length < 100) break;
    }
    const { documents } = dataOf(await knowledge.query('{ documents(first: 100) { customer { id } } }')) as { documents: { customer: { id: string } | null }[] };
    for (const d of documents) if (d.customer) referenced.add(d.customer.id);
    expect([...referenced].filter((id) => !known.has(id))).toEqual([]);
    expect(referenced.size).toBe(300); // every customer has orders
  });
});
