/**
 * How a kind of knowledge-base document is written. Text holds `{placeholders}` that the
 * generator fills once per document (the same `{owner}` throughout one document).
 */
export interface DocumentTemplate {
  readonly kind: string;
  /** Whether documents of this kind are about one customer. */
  readonly aboutCustomer: boolean;
  readonly tags: readonly string[];
  readonly titles: readonly string[];
  /** One or two sentences; `summaries[i]` goes with `titles[i]` (modulo their number). */
  readonly summaries: readonly string[];
  /** Each paragraph is a pool of sentences; a document takes three or four of each, in order. */
  readonly paragraphs: readonly (readonly string[])[];
}
