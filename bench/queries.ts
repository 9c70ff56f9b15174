import { reviewsOf, topProducts, WIDE } from './subgraphs/bench-data.js';

/** The benchmark's operations, and what every target must answer to them. */

export const TOP = 5;

/** Q1: touches the products subgraph only. */
export const Q1 = /* GraphQL */ `query Q1 { topProducts(first: ${TOP}) { upc name price weight } }`;

/** Q2: joins products and reviews (a batched merge / `_entities` call). */
export const Q2 = /* GraphQL */ `query Q2 { topProducts(first: ${TOP}) { upc name price reviews { id body rating } } }`;

/** A query with `count` leaf selections on one object of the products subgraph. */
export function wideQuery(count: number): string {
  const fields = Array.from({ length: count }, (_, i) => `f${i}`).join(' ');
  return `query Wide { wide { ${fields} } }`;
}

/** A query on generated scaling subgraph `i` only. */
export function itemsQuery(i: number): string {
  return `query Items { items${i}(first: ${TOP}) { id name value } }`;
}

export const EXPECTED_Q1 = {
  topProducts: topProducts(TOP).map(({ upc, name, price, weight }) => ({ upc, name, price, weight })),
};

export const EXPECTED_Q2 = {
  topProducts: topProducts(TOP).map(({ upc, name, price }) => ({
    upc,
    name,
    price,
    reviews: reviewsOf(upc).map(({ id, body, rating }) => ({ id, body, rating })),
  })),
};

export function expectedWide(count: number): unknown {
  return { wide: Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, WIDE[`f${i}`]])) };
}
