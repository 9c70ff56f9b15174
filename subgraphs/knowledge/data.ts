import { SqlStore } from '../shared/sql-store.js';
import { demoDocuments, type DocumentRecord } from './generate-documents.js';
import { demoNotes, type NoteRecord } from './generate-notes.js';

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
  CREATE TABLE customer_notes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    author      TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    text        TEXT NOT NULL
  );
  CREATE INDEX customer_notes_by_customer ON customer_notes (customer_id, written_at DESC);
`;

/** A new in-memory knowledge base of `seed`, and the documents and notes it holds (to index them). */
export function createKnowledgeStore(seed: number): { store: SqlStore; documents: readonly DocumentRecord[]; notes: readonly NoteRecord[] } {
  const documents = demoDocuments(seed);
  const notes = demoNotes(seed);
  const store = new SqlStore(SCHEMA);
  store.seed((db) => {
    const insert = db.prepare(
      'INSERT INTO documents (id, title, summary, body, classification, tags, customer_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const d of documents) {
      insert.run(d.id, d.title, d.summary, d.body, d.classification, JSON.stringify(d.tags), d.customerId, d.updatedAt);
    }
    const insertNote = db.prepare('INSERT INTO customer_notes (id, customer_id, author, written_at, text) VALUES (?, ?, ?, ?, ?)');
    for (const n of notes) insertNote.run(n.id, n.customerId, n.author, n.writtenAt, n.text);
  });
  return { store, documents, notes };
}
