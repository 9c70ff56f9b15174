import DataLoader from 'dataloader';
import type { SqlStore } from '../shared/sql-store.js';

export interface CustomerRecord {
  id: string;
  name: string;
  segment: string;
  region: string;
  customerSince: string;
}

export interface ContactRecord {
  email: string;
  phone: string;
}

export interface CustomersLoaders {
  /** Customers by id; null for unknown ids. One query per batch. */
  customer: DataLoader<string, CustomerRecord | null>;
  /** Contact details (personal data) by customer id. One query per batch. */
  contact: DataLoader<string, ContactRecord | null>;
}

export const CUSTOMER_COLUMNS = 'id, name, segment, region, customer_since AS customerSince';

/** Fresh loaders for one request: their caches must not outlive it. */
export function createCustomersLoaders(store: SqlStore): CustomersLoaders {
  return {
    customer: new DataLoader(async (ids) => {
      const rows = store.all<CustomerRecord>(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id IN (SELECT value FROM json_each(?))`, [ids]);
      return byKey(ids, rows, (row) => row.id);
    }),
    contact: new DataLoader(async (ids) => {
      const rows = store.all<ContactRecord & { customerId: string }>(
        'SELECT customer_id AS customerId, email, phone FROM customer_contacts WHERE customer_id IN (SELECT value FROM json_each(?))',
        [ids],
      );
      return byKey(ids, rows, (row) => row.customerId);
    }),
  };
}

// DataLoader wants one value per key, in the order of the keys.
function byKey<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): (T | null)[] {
  const index = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => index.get(key) ?? null);
}
