import { SqlStore } from '../shared/sql-store.js';
import { demoCustomers, type DemoCustomer, type Segment } from '../shared/demo-customers.js';
import { PRICE_LIST_FACTORS, PRODUCTS, type Product } from '../shared/catalogue.js';
import { createRandom, deriveSeed, type Random } from '../shared/random.js';
import { DATA_AS_OF, DAY_MS, isoTimestamp } from '../shared/dates.js';

// Money is stored in cents: totals are exact sums of line amounts, never float drift.
const SCHEMA = /* SQL */ `
  CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    placed_at   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    currency    TEXT NOT NULL,
    total_cents INTEGER NOT NULL
  );
  CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC);
  CREATE INDEX orders_by_date ON orders (placed_at DESC, id DESC);
  CREATE INDEX orders_by_status ON orders (status, placed_at DESC);
  CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    product          TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    amount_cents     INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
  );
`;

export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface GeneratedLine {
  readonly sku: string;
  readonly product: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly amountCents: number;
}

export interface GeneratedOrder {
  readonly id: string;
  readonly number: string;
  readonly customerId: string;
  readonly placedAt: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalCents: number;
  readonly lines: readonly GeneratedLine[];
}

const ORDERS_PER_CUSTOMER: Readonly<Record<Segment, readonly [number, number]>> = {
  ENTERPRISE: [6, 12],
  MID_MARKET: [4, 8],
  PUBLIC_SECTOR: [3, 7],
  SMB: [1, 5],
};
const DISCOUNT: Readonly<Record<Segment, number>> = { ENTERPRISE: 0.15, MID_MARKET: 0.08, PUBLIC_SECTOR: 0.1, SMB: 0 };
const HISTORY_MS = 730 * DAY_MS;

function quantity(random: Random, product: Product, segment: Segment): number {
  const large = segment === 'ENTERPRISE' || segment === 'PUBLIC_SECTOR';
  switch (product.unit) {
    case 'seat':
      return large ? random.int(25, 400) : random.int(3, 60);
    case 'subscription':
      return large ? random.int(2, 40) : random.int(1, 8);
    case 'pack':
      return random.int(1, large ? 20 : 5);
    case 'service-day':
      return random.int(1, large ? 15 : 4);
    case 'device':
      return random.int(1, large ? 50 : 10);
  }
}

function status(random: Random, ageDays: number): OrderStatus {
  if (ageDays > 45) return random.chance(0.06) ? 'CANCELLED' : 'DELIVERED';
  if (ageDays > 14) return random.weighted<OrderStatus>([['DELIVERED', 60], ['SHIPPED', 30], ['CANCELLED', 10]]);
  return random.weighted<OrderStatus>([['PLACED', 30], ['PAID', 35], ['SHIPPED', 30], ['CANCELLED', 5]]);
}

/**
 * The orders of `seed`'s customers over the two years before {@link DATA_AS_OF}, oldest
 * first: ids `O-00001`.., numbers `SO-100001`...
 */
export function demoOrders(seed: number, customers: readonly DemoCustomer[] = demoCustomers(seed)): GeneratedOrder[] {
  const random = createRandom(deriveSeed(seed, 'orders'));
  const drafts: Omit<GeneratedOrder, 'id' | 'number'>[] = [];
  for (const customer of customers) {
    const [min, max] = ORDERS_PER_CUSTOMER[customer.segment];
    const from = Math.max(DATA_AS_OF - HISTORY_MS, Date.parse(customer.customerSince));
    const factor = (PRICE_LIST_FACTORS[customer.currency] ?? 1) * (1 - DISCOUNT[customer.segment]);
    for (let n = random.int(min, max); n > 0; n--) {
      // Business hours, UTC: 07:00-18:59.
      const day = from + Math.floor(random.next() * ((DATA_AS_OF - from) / DAY_MS)) * DAY_MS;
      const placedAt = day + random.int(7 * 3600, 19 * 3600 - 1) * 1000;
      const lines = random.sample(PRODUCTS, random.weighted([[1, 35], [2, 28], [3, 20], [4, 10], [5, 7]])).map((product) => {
        const count = quantity(random, product, customer.segment);
        const unitPriceCents = Math.round(product.listPriceCents * factor);
        return { sku: product.sku, product: product.name, quantity: count, unitPriceCents, amountCents: count * unitPriceCents };
      });
      drafts.push({
        customerId: customer.id,
        placedAt: isoTimestamp(placedAt),
        status: status(random, (DATA_AS_OF - placedAt) / DAY_MS),
        currency: customer.currency,
        totalCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
        lines,
      });
    }
  }
  drafts.sort((a, b) => a.placedAt.localeCompare(b.placedAt) || a.customerId.localeCompare(b.customerId));
  return drafts.map((draft, i) => ({ ...draft, id: `O-${String(i + 1).padStart(5, '0')}`, number: `SO-${100_001 + i}` }));
}

/** A new in-memory orders database, filled with the orders of `seed`. */
export function createOrdersStore(seed: number): SqlStore {
  const store = new SqlStore(SCHEMA);
  store.seed((db) => {
    const insertOrder = db.prepare(
      'INSERT INTO orders (id, number, customer_id, placed_at, status, currency, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertLine = db.prepare(
      'INSERT INTO order_lines (order_id, line_no, sku, product, quantity, unit_price_cents, amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const order of demoOrders(seed)) {
      insertOrder.run(order.id, order.number, order.customerId, order.placedAt, order.status, order.currency, order.totalCents);
      order.lines.forEach((line, i) => {
        insertLine.run(order.id, i + 1, line.sku, line.product, line.quantity, line.unitPriceCents, line.amountCents);
      });
    }
  });
  return store;
}
