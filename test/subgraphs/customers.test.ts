import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { dataOf, ids, startIdp, startSubgraph, type RunningSubgraph } from './support.js';

let idp: DevIdentityProvider;
let customers: RunningSubgraph;

beforeAll(async () => {
  idp = await startIdp();
  customers = await startSubgraph(idp, 'customers');
});
afterAll(async () => {
  await customers.close();
  await idp.close();
});

type Customer = { id: string; name: string; segment: string; region: string; customerSince: string; email: string; phone: string };
const FIELDS = 'id name segment region customerSince email phone';

/** SQL statements a query ran in the subgraph. */
async function sqlOf(query: string): Promise<{ data: Record<string, unknown>; sql: number }> {
  const before = customers.subgraph.stats.sqlQueries;
  const data = dataOf(await customers.query(query));
  return { data, sql: customers.subgraph.stats.sqlQueries - before };
}

describe('customers subgraph', () => {
  it('holds 300 seeded customers, C-0001..C-0300, with realistic fields', async () => {
    const all: Customer[] = [];
    for (let offset = 0; offset < 400; offset += 100) {
      const { customers: page } = dataOf(await customers.query(`{ customers(first: 100, offset: ${offset}) { ${FIELDS} } }`)) as { customers: Customer[] };
      all.push(...page);
    }
    expect(all.map((c) => c.id)).toEqual(ids(1, 300));
    const regions = new Set(all.map((c) => c.region));
    expect(regions.size).toBe(8);
    expect(new Set(all.map((c) => c.segment))).toEqual(new Set(['ENTERPRISE', 'MID_MARKET', 'SMB', 'PUBLIC_SECTOR']));
    expect(new Set(all.map((c) => c.name)).size).toBe(300);
    for (const c of all) {
      expect(c.name).toMatch(/^[A-Z][\w&.,()'/ -]+$/);
      expect(c.customerSince).toMatch(/^20(1\d|2\d)-\d\d-\d\d$/);
      expect(c.email).toMatch(/^contact@[a-z0-9-]+\.example$/);
      expect(c.phone).toMatch(/^\+\d[\d ]+$/);
    }
  });

  it('finds one customer by id, and null for an unknown id', async () => {
    const data = dataOf(await customers.query(`{ customer(id: "C-0001") { ${FIELDS} } unknown: customer(id: "C-9999") { id } }`));
    expect(data['customer']).toMatchObject({ id: 'C-0001', email: expect.stringMatching(/^contact@/) });
    expect(data['unknown']).toBeNull();
  });

  it('filters by segment and region', async () => {
    const { customers: list } = dataOf(
      await customers.query('{ customers(first: 100, segment: ENTERPRISE, region: "North America") { id segment region } }'),
    ) as { customers: Customer[] };
    expect(list.length).toBeGreaterThan(0);
    for (const c of list) expect(c).toMatchObject({ segment: 'ENTERPRISE', region: 'North America' });
  });

  it('answers _customersByIds with one entry per id, in order, null where unknown', async () => {
    const data = dataOf(await customers.query('{ _customersByIds(ids: ["C-0300", "nope", "C-0001", "C-0300"]) { id } }'));
    expect(data['_customersByIds']).toEqual([{ id: 'C-0300' }, null, { id: 'C-0001' }, { id: 'C-0300' }]);
  });

  it('loads 50 customers with one SQL query, and their contact details with one more', async () => {
    const fifty = JSON.stringify(ids(101, 50));
    const names = await sqlOf(`{ _customersByIds(ids: ${fifty}) { id name } }`);
    expect(names.sql).toBe(1);
    expect((names.data['_customersByIds'] as Customer[]).map((c) => c.id)).toEqual(ids(101, 50));
    const withPii = await sqlOf(`{ _customersByIds(ids: ${fifty}) { id name email phone } }`);
    expect(withPii.sql).toBe(2);
  });

  it('refuses lists over the bounds with BAD_USER_INPUT', async () => {
    const tooMany = await customers.query('{ customers(first: 101) { id } }');
    expect(tooMany.body).toEqual({
      data: { customers: null },
      errors: [expect.objectContaining({ path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } })],
    });
    const negative = await customers.query('{ customers(offset: -1) { id } }');
    expect(negative.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    const ids1001 = await customers.query('query ($ids: [ID!]!) { _customersByIds(ids: $ids) { id } }', {
      variables: { ids: ids(1, 1001) },
    });
    expect(ids1001.body.errors?.[0]).toMatchObject({ message: 'ids takes at most 1000 ids', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
