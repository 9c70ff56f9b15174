import { SqlStore } from '../shared/sql-store.js';
import { demoDocuments, type DocumentRecord } from './generate-documents.js';

const SCHEMA = /* SQL */ `
  CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL,
    body           TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL')),
    tags           TEXT NOT NULL, -- JSON array of strings
    customer_id    TEXT,
    updated_at     TEXT NOT NULL
  );
  CREATE INDEX documents_by_customer ON documents (customer_id, updated_at DESC);
  CREATE INDEX documents_by_classification ON documents (classification, id);
`;

/** A new in-memory knowledge base of `seed`, and the documents it holds (to index them). */
export function createKnowledgeStore(seed: number): { store: SqlStore; documents: readonly DocumentRecord[] } {
  const documents = demoDocuments(seed);
  const store = new SqlStore(SCHEMA);
  store.seed((db) => {
    const insert = db.prepare(
      'INSERT INTO documents (id, title, summary, body, classification, tags, customer_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const d of documents) {
      insert.run(d.id, d.title, d.summary, d.body, d.classification, JSON.stringify(d.tags), d.customerId, d.updatedAt);
    }
  });
  return { store, documents };
}
