import DataLoader from 'dataloader';
import type { SqlStore } from '../shared/sql-store.js';
import type { Classification, DocumentRecord } from './generate-documents.js';
import type { NoteRecord } from './generate-notes.js';

export interface KnowledgeLoaders {
  /** Documents by id; null for unknown ids. */
  document: DataLoader<string, DocumentRecord | null>;
  /** Documents about each customer, most recently updated first; [] for unknown ids. */
  documentsByCustomer: DataLoader<string, DocumentRecord[]>;
  /** Customer notes by id; null for unknown ids. */
  note: DataLoader<string, NoteRecord | null>;
  /** Notes about each customer, newest first; [] for unknown ids. */
  notesByCustomer: DataLoader<string, NoteRecord[]>;
}

const NOTE_COLUMNS = 'id, customer_id AS customerId, author, written_at AS writtenAt, text';

interface DocumentRow {
  id: string;
  title: string;
  summary: string;
  body: string;
  classification: Classification;
  tags: string;
  customerId: string | null;
  updatedAt: string;
}

export const DOCUMENT_COLUMNS =
  'id, title, summary, body, classification, tags, customer_id AS customerId, updated_at AS updatedAt';

export function toDocument(row: DocumentRow): DocumentRecord {
  return { ...row, tags: JSON.parse(row.tags) as string[] };
}

/** Reads documents with one query, whatever the filter. */
export function selectDocuments(store: SqlStore, where: string, params: Parameters<SqlStore['all']>[1], tail = ''): DocumentRecord[] {
  return store.all<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE ${where} ${tail}`, params).map(toDocument);
}

/** Fresh loaders for one request: one SQL query per batch of keys. */
export function createKnowledgeLoaders(store: SqlStore): KnowledgeLoaders {
  const document = new DataLoader<string, DocumentRecord | null>(async (ids) => {
    const index = new Map(selectDocuments(store, 'id IN (SELECT value FROM json_each(?))', [ids]).map((d) => [d.id, d]));
    return ids.map((id) => index.get(id) ?? null);
  });
  return {
    document,
    documentsByCustomer: new DataLoader(async (customerIds) => {
      const rows = selectDocuments(store, 'customer_id IN (SELECT value FROM json_each(?))', [customerIds], 'ORDER BY updated_at DESC, id');
      const groups = new Map<string, DocumentRecord[]>(customerIds.map((id) => [id, []]));
      for (const row of rows) {
        document.prime(row.id, row);
        if (row.customerId !== null) groups.get(row.customerId)?.push(row);
      }
      return customerIds.map((id) => groups.get(id) ?? []);
    }),
    note: new DataLoader(async (ids) => {
      const rows = store.all<NoteRecord>(`SELECT ${NOTE_COLUMNS} FROM customer_notes WHERE id IN (SELECT value FROM json_each(?))`, [ids]);
      const index = new Map(rows.map((n) => [n.id, n]));
      return ids.map((id) => index.get(id) ?? null);
    }),
    notesByCustomer: new DataLoader(async (customerIds) => {
      const rows = store.all<NoteRecord>(
        `SELECT ${NOTE_COLUMNS} FROM customer_notes WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY written_at DESC, id`,
        [customerIds],
      );
      const groups = new Map<string, NoteRecord[]>(customerIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row.customerId)?.push(row);
      return customerIds.map((id) => groups.get(id) ?? []);
    }),
  };
}
