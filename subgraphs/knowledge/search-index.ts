import MiniSearch from 'minisearch';
import type { DocumentRecord } from './generate-documents.js';

/** One ranked hit: which document, how relevant, and the passage to show. */
export interface SearchHit {
  readonly id: string;
  /** BM25+ score (field boosts applied); higher is better. */
  readonly score: number;
  readonly snippet: string;
}

export interface SearchOptions {
  readonly first: number;
  /** Whether the caller may read confidential bodies (match them and quote them). */
  readonly confidential: boolean;
}

interface IndexedDocument {
  id: string;
  title: string;
  summary: string;
  tags: string;
  body: string;
}

// Words that match nearly every document and would only add noise to BM25 sums.
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or our that the their this to was we were will with'.split(' '),
);
const SEPARATORS = /[\s\p{P}\p{S}]+/u;
const MAX_SNIPPET = 240;

export function tokenize(text: string): string[] {
  return text.split(SEPARATORS).filter((token) => token.length > 0);
}

/** Lower-cases a term; stop words are dropped (null). */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

function buildIndex(documents: readonly IndexedDocument[]): MiniSearch<IndexedDocument> {
  const index = new MiniSearch<IndexedDocument>({
    fields: ['title', 'summary', 'tags', 'body'],
    tokenize,
    processTerm,
    searchOptions: {
      boost: { title: 3, tags: 2, summary: 1.5, body: 1 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 6 ? 0.15 : false),
      combineWith: 'OR',
    },
  });
  index.addAll(documents);
  return index;
}

/**
 * Full-text search (BM25+, via minisearch) over the knowledge base, in two indexes: one with
 * every body, and one where confidential documents are indexed by title, summary and tags
 * only. A caller without the confidential scope is searched in the second, so a confidential
 * body can neither make a document match nor be quoted in a snippet.
 *
 * @example
 * const search = new KnowledgeSearch(documents);
 * search.search('data residency', { first: 5, confidential: false });
 */
export class KnowledgeSearch {
  readonly #full: MiniSearch<IndexedDocument>;
  readonly #restricted: MiniSearch<IndexedDocument>;
  readonly #documents: ReadonlyMap<string, DocumentRecord>;

  constructor(documents: readonly DocumentRecord[]) {
    const indexed = documents.map((d) => ({ id: d.id, title: d.title, summary: d.summary, tags: d.tags.join(' '), body: d.body }));
    this.#full = buildIndex(indexed);
    this.#restricted = buildIndex(
      indexed.map((d, i) => (documents[i]?.classification === 'CONFIDENTIAL' ? { ...d, body: '' } : d)),
    );
    this.#documents = new Map(documents.map((d) => [d.id, d]));
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const index = options.confidential ? this.#full : this.#restricted;
    return index
      .search(query)
      .slice(0, options.first)
      .map((result) => {
        const id = String(result.id);
        const document = this.#documents.get(id);
        const readBody = document !== undefined && (options.confidential || document.classification !== 'CONFIDENTIAL');
        return {
          id,
          score: result.score,
          snippet: document ? bestPassage(document, new Set(result.terms), readBody) : '',
        };
      });
  }
}

/**
 * The sentence of the summary or (readable) body holding the most distinct matched terms,
 * then the most occurrences; the summary when no sentence holds any (a title or tag match).
 */
export function bestPassage(document: DocumentRecord, terms: ReadonlySet<string>, readBody: boolean): string {
  const sentences = [document.summary, ...(readBody ? document.body.split(/\n\s*\n/) : [])].flatMap(splitSentences);
  let best = { sentence: document.summary, distinct: 0, hits: 0 };
  for (const sentence of sentences) {
    const words = tokenize(sentence).map((word) => word.toLowerCase());
    const matched = words.filter((word) => terms.has(word));
    const distinct = new Set(matched).size;
    if (distinct > best.distinct || (distinct === best.distinct && distinct > 0 && matched.length > best.hits)) {
      best = { sentence, distinct, hits: matched.length };
    }
  }
  return clip(best.sentence, terms);
}

function splitSentences(paragraph: string): string[] {
  return paragraph
    .split(/(?<=[.!?])\s+(?=[A-Z0-9{])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

// Long sentences are cut to a window around the first matched term.
function clip(sentence: string, terms: ReadonlySet<string>): string {
  if (sentence.length <= MAX_SNIPPET) return sentence;
  const lower = sentence.toLowerCase();
  const first = Math.min(...[...terms].map((term) => lower.indexOf(term)).filter((at) => at >= 0), sentence.length);
  const start = first === sentence.length ? 0 : Math.max(0, first - 60);
  const end = Math.min(sentence.length, start + 200);
  return `${start > 0 ? '…' : ''}${sentence.slice(start, end).trim()}${end < sentence.length ? '…' : ''}`;
}
