import MiniSearch from 'minisearch';
import type { NoteRecord } from './generate-notes.js';
import { processTerm, tokenize } from './search-index.js';

/** One ranked note: which note and how relevant (BM25+, like document hits). */
export interface NoteHit {
  readonly id: string;
  readonly score: number;
}

/**
 * Full-text search over the customer notes. The subgraph cannot tell who may read notes (the
 * rule is the gateway's: `CustomerNote` needs `Customers.PII.Read`), so it searches them all;
 * the gateway removes the note fragments of callers without the scope before they get here.
 *
 * @example new NoteSearch(notes).search('invoice', 5)
 */
export class NoteSearch {
  readonly #index: MiniSearch<{ id: string; text: string; author: string }>;

  constructor(notes: readonly NoteRecord[]) {
    this.#index = new MiniSearch({
      fields: ['text', 'author'],
      tokenize,
      processTerm,
      searchOptions: { prefix: (term) => term.length >= 4, fuzzy: (term) => (term.length >= 6 ? 0.15 : false), combineWith: 'OR' },
    });
    this.#index.addAll(notes.map((n) => ({ id: n.id, text: n.text, author: n.author })));
  }

  search(query: string, first: number): NoteHit[] {
    return this.#index
      .search(query)
      .slice(0, first)
      .map((result) => ({ id: String(result.id), score: result.score }));
  }
}
