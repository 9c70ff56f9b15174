import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { dataOf, ids, startIdp, startSubgraph, type RunningSubgraph } from './support.js';

let idp: DevIdentityProvider;
let knowledge: RunningSubgraph;
/** A person with Knowledge.Read only, and one who may read confidential documents. */
let reader: string;
let cleared: string;

beforeAll(async () => {
  idp = await startIdp();
  knowledge = await startSubgraph(idp, 'knowledge');
  reader = await knowledge.token({ scopes: ['Knowledge.Read'] });
  cleared = await knowledge.token({ scopes: ['Knowledge.Read', 'Knowledge.Read.Confidential'] });
});
afterAll(async () => {
  await knowledge.close();
  await idp.close();
});

interface Doc { __typename: string; id: string; title: string; summary: string; classification: string; tags: string[]; updatedAt: string; body: string | null; customer: { id: string } | null }
interface Passage { score: number; snippet: string; document: Doc }
const DOC = '__typename id title summary classification tags updatedAt customer { id }';

async function allDocuments(token: string): Promise<Doc[]> {
  const { documents } = dataOf(await knowledge.query(`{ documents(first: 100) { ${DOC} body } }`, { token })) as { documents: Doc[] };
  return documents;
}
async function search(query: string, token: string, first = 10): Promise<Passage[]> {
  const response = await knowledge.query('query ($q: String!, $n: Int) { search(query: $q, first: $n) { score snippet document { ' + DOC + ' } } }', {
    token,
    variables: { q: query, n: first },
  });
  return (dataOf(response) as { search: Passage[] }).search;
}
const count = (text: string, word: string) => text.toLowerCase().split(word).length - 1;

describe('knowledge subgraph: documents', () => {
  it('holds 60 documents, D-001..D-060, 20% confidential, half about a customer', async () => {
    const documents = await allDocuments(cleared);
    expect(documents.map((d) => d.id)).toEqual(ids(1, 60, 'D-', 3));
    expect(documents.filter((d) => d.classification === 'CONFIDENTIAL')).toHaveLength(12);
    expect(documents.filter((d) => d.customer !== null)).toHaveLength(30);
    for (const d of documents) {
      expect(d.__typename).toBe(d.classification === 'CONFIDENTIAL' ? 'ConfidentialDocument' : 'StandardDocument');
      expect(d.body?.split(/\s+/).length).toBeGreaterThan(120);
      expect(d.body?.split('\n\n').length).toBeGreaterThanOrEqual(3);
      expect(d.summary.length).toBeGreaterThan(40);
      expect(d.tags.length).toBeGreaterThan(0);
      expect(d.customer?.id ?? 'C-0001').toMatch(/^C-0(0\d\d|1\d\d|2\d\d|300)$/);
    }
  });

  it('has several documents, newest first, about each of C-0001..C-0005, loaded in one query', async () => {
    const before = knowledge.subgraph.stats.sqlQueries;
    const { _knowledgeCustomersByIds: list } = dataOf(
      await knowledge.query(`{ _knowledgeCustomersByIds(ids: ${JSON.stringify([...ids(1, 5), 'C-9999'])}) { id documents { id updatedAt customer { id } } } }`, {
        token: reader,
      }),
    ) as { _knowledgeCustomersByIds: { id: string; documents: Doc[] }[] };
    expect(knowledge.subgraph.stats.sqlQueries - before).toBe(1);
    expect(list.map((c) => c.id)).toEqual([...ids(1, 5), 'C-9999']);
    for (const customer of list.slice(0, 5)) {
      expect(customer.documents.length).toBeGreaterThanOrEqual(2);
      expect(customer.documents.every((d) => d.customer?.id === customer.id)).toBe(true);
      const dates = customer.documents.map((d) => d.updatedAt);
      expect(dates).toEqual([...dates].sort().reverse());
    }
    expect(list[5]).toEqual({ id: 'C-9999', documents: [] });
  });

  it('refuses the body of a confidential document without Knowledge.Read.Confidential (FORBIDDEN), keeps the rest', async () => {
    const confidential = (await allDocuments(cleared)).find((d) => d.classification === 'CONFIDENTIAL');
    const query = `{ document(id: "${confidential?.id}") { id title ... on ConfidentialDocument { body } } }`;
    const refused = await knowledge.query(query, { token: reader });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      data: { document: { id: confidential?.id, title: confidential?.title, body: null } },
      errors: [expect.objectContaining({ path: ['document', 'body'], extensions: { code: 'FORBIDDEN' } })],
    });
    // Asked on the interface, the same rule applies: the concrete type's resolver decides.
    const onInterface = await knowledge.query(`{ document(id: "${confidential?.id}") { id title body } }`, { token: reader });
    expect(onInterface.body.data).toEqual({ document: { id: confidential?.id, title: confidential?.title, body: null } });
    expect(onInterface.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(onInterface.text).not.toContain(confidential?.body?.slice(0, 40));

    const allowed = await knowledge.query(`{ document(id: "${confidential?.id}") { id body } }`, { token: cleared });
    expect(allowed.body).toEqual({ data: { document: { id: confidential?.id, body: confidential?.body } } });
  });

  it('refuses confidential bodies to app callers whose roles lack the scope', async () => {
    const app = await idp.mint({ kind: 'app', clientId: DEMO_APPS.gateway.clientId, audience: DEMO_APPS.knowledge.clientId });
    const response = await knowledge.query('{ documents(first: 100, classification: CONFIDENTIAL) { id body } }', { token: app });
    expect(response.body.errors).toHaveLength(12);
    expect(response.body.errors?.every((e) => e.extensions?.['code'] === 'FORBIDDEN')).toBe(true);
  });

  it('lets anyone with Knowledge.Read read standard bodies', async () => {
    const response = await knowledge.query('{ documents(first: 100, classification: PUBLIC) { id body } }', { token: reader });
    const { documents } = dataOf(response) as { documents: Doc[] };
    expect(documents.length).toBeGreaterThan(0);
    expect(documents.every((d) => typeof d.body === 'string' && d.body.length > 0)).toBe(true);
  });
});

describe('knowledge subgraph: search', () => {
  it('ranks a document whose title matches above ones that mention the term once in the body', async () => {
    const passages = await search('residency', reader, 20);
    const [top] = passages;
    expect(top?.document.title.toLowerCase()).toContain('residency');
    const documents = new Map((await allDocuments(cleared)).map((d) => [d.id, d]));
    const mentionedOnce = passages.filter((p) => {
      const d = documents.get(p.document.id);
      return d && !d.title.toLowerCase().includes('residency') && count(d.body ?? '', 'residency') === 1;
    });
    expect(mentionedOnce.length).toBeGreaterThan(0);
    for (const p of mentionedOnce) expect(p.score).toBeLessThan(top?.score ?? 0);
    const scores = passages.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(top?.snippet.toLowerCase()).toContain('residency');
  });

  it('returns the best-matching sentence as the snippet', async () => {
    const [top] = await search('walk-away price', cleared, 1);
    expect(top?.document.classification).toBe('CONFIDENTIAL');
    expect(top?.snippet).toMatch(/walk-away price/i);
    expect(top?.snippet.length).toBeLessThanOrEqual(241);
  });

  it('never matches or quotes a confidential body for a caller without the scope', async () => {
    const confidentialBodies = (await allDocuments(cleared)).filter((d) => d.classification === 'CONFIDENTIAL').map((d) => d.body ?? '');
    for (const query of ['walk-away price', 'renewal discount', 'Lakeside', 'data residency', 'negotiation competitor']) {
      for (const passage of await search(query, reader, 20)) {
        if (passage.document.classification !== 'CONFIDENTIAL') continue;
        // A confidential hit matched on what the caller may see, and quotes only that.
        const visible = `${passage.document.title} ${passage.document.summary} ${passage.document.tags.join(' ')}`.toLowerCase();
        expect(query.toLowerCase().split(/\W+/).some((word) => word.length > 2 && visible.includes(word))).toBe(true);
        expect(passage.document.summary).toContain(passage.snippet.replace(/^…|…$/g, ''));
        for (const body of confidentialBodies) expect(body).not.toContain(passage.snippet);
      }
    }
    // The same term finds confidential bodies once the caller holds the scope.
    const withScope = await search('walk-away', cleared, 20);
    const without = await search('walk-away', reader, 20);
    expect(withScope.filter((p) => p.document.classification === 'CONFIDENTIAL').length).toBeGreaterThan(2);
    expect(without.filter((p) => p.document.classification === 'CONFIDENTIAL')).toEqual([]);
  });

  it('loads the hits with one SQL query', async () => {
    const before = knowledge.subgraph.stats.sqlQueries;
    expect((await search('incident postmortem', reader, 10)).length).toBe(10);
    expect(knowledge.subgraph.stats.sqlQueries - before).toBe(1);
  });

  it('refuses an empty or oversized query and an oversized first with BAD_USER_INPUT', async () => {
    const q = 'query ($q: String!, $n: Int) { search(query: $q, first: $n) { score } }';
    for (const variables of [{ q: '   ' }, { q: 'x'.repeat(501) }, { q: 'pricing', n: 101 }]) {
      const response = await knowledge.query(q, { token: reader, variables });
      expect(response.body).toEqual({
        data: { search: null },
        errors: [expect.objectContaining({ path: ['search'], extensions: { code: 'BAD_USER_INPUT' } })],
      });
    }
  });
});

describe('knowledge subgraph: customer notes and find', () => {
  interface Note { id: string; author: string; writtenAt: string; text: string; customer: { id: string } }

  it('holds notes about customers, three about each of C-0001..C-0005, newest first, loaded in one query', async () => {
    const before = knowledge.subgraph.stats.sqlQueries;
    const { _knowledgeCustomersByIds: list } = dataOf(
      await knowledge.query(`{ _knowledgeCustomersByIds(ids: ${JSON.stringify([...ids(1, 5), 'C-9999'])}) { id notes(first: 100) { id author writtenAt text customer { id } } } }`, {
        token: reader,
      }),
    ) as { _knowledgeCustomersByIds: { id: string; notes: Note[] }[] };
    expect(knowledge.subgraph.stats.sqlQueries - before).toBe(1);
    for (const customer of list.slice(0, 5)) {
      expect(customer.notes).toHaveLength(3);
      expect(customer.notes.every((n) => n.customer.id === customer.id && /^N-0\d\d$/.test(n.id) && n.author.length > 0)).toBe(true);
      const dates = customer.notes.map((n) => n.writtenAt);
      expect(dates).toEqual([...dates].sort().reverse());
    }
    // Notes quote how to reach people: personal data (the gateway guards them with Customers.PII.Read).
    expect(list[0]?.notes.some((n) => /@lakeside-agritech\.example|\+\d/.test(n.text))).toBe(true);
    expect(list[5]).toEqual({ id: 'C-9999', notes: [] });
  });

  it('finds passages and notes together, the best of each kind first', async () => {
    const response = await knowledge.query('{ find(query: "procurement", first: 6) { __typename ... on Passage { score document { id } } ... on CustomerNote { id text } } }', { token: reader });
    const { find } = dataOf(response) as { find: ({ __typename: 'Passage'; score: number } | { __typename: 'CustomerNote'; id: string; text: string })[] };
    expect(find).toHaveLength(6);
    expect(find.slice(0, 2).map((hit) => hit.__typename)).toEqual(['Passage', 'CustomerNote']);
    for (const hit of find) if (hit.__typename === 'CustomerNote') expect(hit.text.toLowerCase()).toContain('procurement');
  });

  it('refuses an empty find query with BAD_USER_INPUT', async () => {
    const response = await knowledge.query('{ find(query: "  ") { __typename } }', { token: reader });
    expect(response.body).toEqual({ data: { find: null }, errors: [expect.objectContaining({ path: ['find'], extensions: { code: 'BAD_USER_INPUT' } })] });
  });
});
