import { SqlStore } from '../shared/sql-store.js';
import { demoCustomers } from '../shared/demo-customers.js';

// Contact details (personal data) live in their own table: they are read only when a query
// selects them, by their own loader.
const SCHEMA = /* SQL */ `
  CREATE TABLE customers (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    segment        TEXT NOT NULL CHECK (segment IN ('ENTERPRISE', 'MID_MARKET', 'SMB', 'PUBLIC_SECTOR')),
    region         TEXT NOT NULL,
    customer_since TEXT NOT NULL
  );
  CREATE INDEX customers_segment ON customers (segment, id);
  CREATE INDEX customers_region ON customers (region, id);
  CREATE TABLE customer_contacts (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL
  );
`;

/** A new in-memory CRM database, filled with the roster of `seed`. */
export function createCustomersStore(seed: number): SqlStore {
  const store = new SqlStore(SCHEMA);
  store.seed((db) => {
    const insertCustomer = db.prepare('INSERT INTO customers (id, name, segment, region, customer_since) VALUES (?, ?, ?, ?, ?)');
    const insertContact = db.prepare('INSERT INTO customer_contacts (customer_id, email, phone) VALUES (?, ?, ?)');
    for (const customer of demoCustomers(seed)) {
      insertCustomer.run(customer.id, customer.name, customer.segment, customer.region, customer.customerSince);
      insertContact.run(customer.id, customer.email, customer.phone);
    }
  });
  return store;
}
