import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../e2e/support.js';
import { INVENTORY_V2 } from './inventory-subgraph.js';
import { admin, INVENTORY_DATA, INVENTORY_QUERY, inventoryRegistration, startTestbed, type RunningGateway, type Testbed } from './support.js';

let testbed: Testbed;
let gw: RunningGateway;
beforeAll(async () => {
  testbed = await startTestbed();
  gw = await testbed.startGateway();
  testbed.inventory.setSdl(revision(0));
  const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.admin, body: inventoryRegistration(testbed) });
  if (put.status !== 200) throw new Error(`setup failed: ${put.text}`);
});
afterAll(async () => {
  await testbed?.close();
});

const SWAPS = 10;
const WORKERS = 4;
/** Bounds the test whatever happens: the workers stop after this many requests each. */
const MAX_REQUESTS_PER_WORKER = 2_000;

/** Revision `n` of inventory: a new description each time, so every swap is a real, compatible change. */
function revision(n: number): string {
  return INVENTORY_V2.replace('"Where the stock is kept."', `"Where the stock is kept (revision ${n})."`);
}

/** The whole expected answer: every product, and the customer with its favourite product; no error. */
function isWholeAnswer(body: { data?: Record<string, unknown> | null; errors?: unknown }): boolean {
  const customer = body.data?.['customer'] as { id?: string; name?: unknown; favouriteProduct?: unknown } | undefined;
  return (
    body.errors === undefined &&
    JSON.stringify(body.data?.['products']) === JSON.stringify(INVENTORY_DATA.products) &&
    customer?.id === 'C-0001' &&
    typeof customer.name === 'string' &&
    JSON.stringify(customer.favouriteProduct) === JSON.stringify(INVENTORY_DATA.customer.favouriteProduct)
  );
}

describe('a load of queries during ten hot swaps', () => {
  // Bounded by the loop limits above; the timeout only leaves room for a slow machine.
  it('completes with no failed request', { timeout: 120_000 }, async () => {
    let done = false;
    let completed = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      for (let i = 0; i < MAX_REQUESTS_PER_WORKER && !done; i++) {
        try {
          const { status, body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
          if (status !== 200 || !isWholeAnswer(body)) failures.push({ status, body });
        } catch (error) {
          failures.push((error as Error).message);
        }
        completed++;
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);

    const versions: number[] = [];
    for (let n = 1; n <= SWAPS; n++) {
      // Each swap happens while queries are running: wait for some to complete since the last one.
      const seen = completed;
      while (completed < seen + WORKERS && !done) await new Promise((resolve) => setTimeout(resolve, 5));
      testbed.inventory.setSdl(revision(n));
      const put = await admin(gw.url, 'PUT', '/admin/subgraphs/inventory', { token: testbed.tokens.owner, body: inventoryRegistration(testbed) });
      expect(put.status, put.text).toBe(200);
      expect(put.body.changes).toEqual([
        expect.objectContaining({ kind: 'safe', type: 'FIELD_DESCRIPTION_CHANGED', coordinate: 'Product.warehouse' }),
      ]);
      versions.push(put.body.version as number);
    }
    const seen = completed;
    while (completed < seen + WORKERS) await new Promise((resolve) => setTimeout(resolve, 5));
    done = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(completed).toBeGreaterThan(SWAPS * WORKERS);
    // The last swap is what is served now.
    const { body } = await graphql(gw.graphqlUrl, '{ __type(name: "Product") { fields { name description } } }', { token: testbed.tokens.reader });
    expect((body.data?.['__type'] as { fields: { name: string; description: string | null }[] }).fields.find((f) => f.name === 'warehouse')).toEqual({
      name: 'warehouse',
      description: `Where the stock is kept (revision ${SWAPS}).`,
    });
  });
});

describe('registry.refreshInterval', () => {
  it('re-fetches every subgraph\'s SDL on its own and swaps in a compatible change', async () => {
    await gw.close();
    gw = await testbed.startGateway({ registry: { path: testbed.storePath, refreshInterval: '100ms' } });
    testbed.inventory.setSdl(revision(99));
    // Polled, bounded: no assertion on how long it takes.
    let description: unknown;
    for (let i = 0; i < 400 && description !== 'Where the stock is kept (revision 99).'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const { body } = await graphql(gw.graphqlUrl, '{ __type(name: "Product") { fields { name description } } }', { token: testbed.tokens.reader });
      description = (body.data?.['__type'] as { fields: { name: string; description: string | null }[] }).fields.find((f) => f.name === 'warehouse')?.description;
    }
    expect(description).toBe('Where the stock is kept (revision 99).');
    const list = await admin(gw.url, 'GET', '/admin/subgraphs/inventory', { token: testbed.tokens.owner });
    expect(list.body.subgraph).toMatchObject({ serving: true, updatedBy: null });
  });
});
