import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { DATA_AS_OF, DAY_MS } from '../../subgraphs/shared/dates.js';
import { dataOf, ids, startIdp, startSubgraph, type RunningSubgraph } from './support.js';

let idp: DevIdentityProvider;
let orders: RunningSubgraph;

beforeAll(async () => {
  idp = await startIdp();
  orders = await startSubgraph(idp, 'orders');
});
afterAll(async () => {
  await orders.close();
  await idp.close();
});

interface Line { sku: string; product: string; quantity: number; unitPrice: number; amount: number }
interface Order { id: string; number: string; placedAt: string; status: string; currency: string; total: number; lines: Line[]; customer: { id: string } }
interface Customer { id: string; orderCount: number; lifetimeValue: number; orders: Order[] }
const ORDER = 'id number placedAt status currency total lines { sku product quantity unitPrice amount } customer { id }';
const cents = (value: number) => Math.round(value * 100);

async function sqlOf(query: string): Promise<{ data: Record<string, unknown>; sql: number }> {
  const before = orders.subgraph.stats.sqlQueries;
  const data = dataOf(await orders.query(query));
  return { data, sql: orders.subgraph.stats.sqlQueries - before };
}

describe('orders subgraph', () => {
  it("resolves 50 customers' orders with ONE SQL query", async () => {
    const { data, sql } = await sqlOf(`{ _orderCustomersByIds(ids: ${JSON.stringify(ids(1, 50))}) { id orders { id } } }`);
    expect(sql).toBe(1);
    const list = data['_orderCustomersByIds'] as Customer[];
    expect(list.map((c) => c.id)).toEqual(ids(1, 50));
    expect(list.every((c) => c.orders.length > 0)).toBe(true);
  });

  it('serves orders, counts and lifetime values of a batch from that one query, lines with one more', async () => {
    const fifty = JSON.stringify(ids(51, 50));
    expect((await sqlOf(`{ _orderCustomersByIds(ids: ${fifty}) { orderCount lifetimeValue orders(first: 3) { id total } } }`)).sql).toBe(1);
    expect((await sqlOf(`{ _orderCustomersByIds(ids: ${fifty}) { orders { id lines { sku } } } }`)).sql).toBe(2);
  });

  it('has about 1,500 orders over the two years before the data date, for every customer', async () => {
    const { _orderCustomersByIds: all } = dataOf(
      await orders.query(`{ _orderCustomersByIds(ids: ${JSON.stringify(ids(1, 300))}) { id orderCount } }`),
    ) as { _orderCustomersByIds: Customer[] };
    const total = all.reduce((sum, c) => sum + c.orderCount, 0);
    expect(total).toBeGreaterThan(1300);
    expect(total).toBeLessThan(1700);
    expect(all.every((c) => c.orderCount >= 1)).toBe(true);

    const { orders: recent } = dataOf(await orders.query(`{ orders(first: 100) { ${ORDER} } }`)) as { orders: Order[] };
    const { orders: oldest } = dataOf(await orders.query(`{ orders(first: 10, offset: ${total - 10}) { ${ORDER} } }`)) as { orders: Order[] };
    expect(oldest.at(-1)?.id).toBe('O-00001');
    for (const order of [...recent, ...oldest]) {
      expect(order.id).toMatch(/^O-\d{5}$/);
      expect(order.number).toBe(`SO-${100_000 + Number(order.id.slice(2))}`);
      const placed = Date.parse(order.placedAt);
      expect(placed).toBeLessThanOrEqual(DATA_AS_OF);
      expect(placed).toBeGreaterThanOrEqual(DATA_AS_OF - 731 * DAY_MS);
      expect(order.customer.id).toMatch(/^C-0(0\d\d|1\d\d|2\d\d|300)$/);
    }
  });

  it('lists orders most recent first and filters by status', async () => {
    const { orders: list } = dataOf(await orders.query('{ orders(first: 50, status: CANCELLED) { id placedAt status } }')) as { orders: Order[] };
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((o) => o.status === 'CANCELLED')).toBe(true);
    const dates = list.map((o) => o.placedAt);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('totals are the sum of line amounts, amounts are quantity × unit price, in cents', async () => {
    const { customer } = dataOf(
      await orders.query(`{ customer: _orderCustomersByIds(ids: ["C-0001"]) { id orderCount lifetimeValue orders(first: 100) { ${ORDER} } } }`),
    ) as { customer: Customer[] };
    const [c0001] = customer;
    expect(c0001?.orders.length).toBe(c0001?.orderCount);
    for (const order of c0001?.orders ?? []) {
      expect(order.lines.length).toBeGreaterThanOrEqual(1);
      expect(order.lines.length).toBeLessThanOrEqual(5);
      for (const line of order.lines) expect(cents(line.amount)).toBe(line.quantity * cents(line.unitPrice));
      expect(cents(order.total)).toBe(order.lines.reduce((sum, line) => sum + cents(line.amount), 0));
      expect(order.customer).toEqual({ id: 'C-0001' });
    }
    expect(cents(c0001?.lifetimeValue ?? 0)).toBe((c0001?.orders ?? []).reduce((sum, o) => sum + cents(o.total), 0));
    const dates = (c0001?.orders ?? []).map((o) => o.placedAt);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('finds an order by id, with its customer as a key stub', async () => {
    const data = dataOf(await orders.query('{ order(id: "O-00001") { id number customer { id } } missing: order(id: "O-99999") { id } }'));
    expect(data).toEqual({ order: { id: 'O-00001', number: 'SO-100001', customer: { id: expect.stringMatching(/^C-\d{4}$/) } }, missing: null });
  });

  it('answers any id in _orderCustomersByIds: an unknown customer has no orders', async () => {
    const data = dataOf(await orders.query('{ _orderCustomersByIds(ids: ["C-9999"]) { id orderCount lifetimeValue orders { id } } }'));
    expect(data).toEqual({ _orderCustomersByIds: [{ id: 'C-9999', orderCount: 0, lifetimeValue: 0, orders: [] }] });
  });

  it('refuses first over 100 in a nested list with BAD_USER_INPUT', async () => {
    const response = await orders.query('{ _orderCustomersByIds(ids: ["C-0001"]) { id orders(first: 500) { id } } }');
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: ['_orderCustomersByIds', 0, 'orders'], extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });
});
