import DataLoader from 'dataloader';
import type { SqlStore } from '../shared/sql-store.js';
import type { OrderStatus } from './data.js';

export interface OrderRecord {
  id: string;
  number: string;
  customerId: string;
  placedAt: string;
  status: OrderStatus;
  currency: string;
  totalCents: number;
}

export interface OrderLineRecord {
  orderId: string;
  sku: string;
  product: string;
  quantity: number;
  unitPriceCents: number;
  amountCents: number;
}

export interface OrdersLoaders {
  /** Orders by id; null for unknown ids. */
  order: DataLoader<string, OrderRecord | null>;
  /** All orders of each customer, most recent first; [] for unknown ids. */
  ordersByCustomer: DataLoader<string, OrderRecord[]>;
  /** Lines of each order, in line order. */
  linesByOrder: DataLoader<string, OrderLineRecord[]>;
}

export const ORDER_COLUMNS =
  'id, number, customer_id AS customerId, placed_at AS placedAt, status, currency, total_cents AS totalCents';

/** Fresh loaders for one request: one SQL query per batch of keys. */
export function createOrdersLoaders(store: SqlStore): OrdersLoaders {
  const order = new DataLoader<string, OrderRecord | null>(async (ids) => {
    const rows = store.all<OrderRecord>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id IN (SELECT value FROM json_each(?))`, [ids]);
    const index = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => index.get(id) ?? null);
  });
  return {
    order,
    // A customer has a handful of orders: loading them all serves `orders(first)`,
    // `orderCount` and `lifetimeValue` of the whole batch with one query.
    ordersByCustomer: new DataLoader(async (customerIds) => {
      const rows = store.all<OrderRecord>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id IN (SELECT value FROM json_each(?))
         ORDER BY placed_at DESC, id DESC`,
        [customerIds],
      );
      for (const row of rows) order.prime(row.id, row);
      return groupBy(customerIds, rows, (row) => row.customerId);
    }),
    linesByOrder: new DataLoader(async (orderIds) => {
      const rows = store.all<OrderLineRecord>(
        `SELECT order_id AS orderId, sku, product, quantity, unit_price_cents AS unitPriceCents, amount_cents AS amountCents
         FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line_no`,
        [orderIds],
      );
      return groupBy(orderIds, rows, (row) => row.orderId);
    }),
  };
}

function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
