/**
 * The bench subgraphs' in-memory data. Both flavours of each subgraph (stitching and Apollo
 * Federation) read these same arrays through the same resolver functions, and the runner
 * derives the expected answers from them, so every target can be checked before timing.
 */

export interface Product {
  readonly upc: string;
  readonly name: string;
  readonly price: number;
  readonly weight: number;
}

export interface Review {
  readonly id: string;
  readonly body: string;
  readonly rating: number;
}

export const PRODUCT_COUNT = 50;
export const REVIEWS_PER_PRODUCT = 3;
/** Fields of the `Wide` type (the selections-per-query measurement goes up to this many). */
export const WIDE_FIELDS = 500;

export const PRODUCTS: readonly Product[] = Array.from({ length: PRODUCT_COUNT }, (_, i) => ({
  upc: `p${i + 1}`,
  name: `Product ${i + 1}`,
  price: 100 + ((i * 37) % 900),
  weight: 1 + ((i * 13) % 50),
}));

const PRODUCTS_BY_UPC = new Map(PRODUCTS.map((p) => [p.upc, p]));

const REVIEWS_BY_UPC = new Map<string, readonly Review[]>(
  PRODUCTS.map((p, i) => [
    p.upc,
    Array.from({ length: REVIEWS_PER_PRODUCT }, (_, j) => ({
      id: `r${i + 1}-${j + 1}`,
      body: `Review ${j + 1} of ${p.name}: ${['solid', 'would buy again', 'arrived late', 'does the job'][(i + j) % 4]}.`,
      rating: 1 + ((i + 2 * j) % 5),
    })),
  ]),
);

export function topProducts(first: number): readonly Product[] {
  return PRODUCTS.slice(0, Math.max(0, Math.min(first, PRODUCT_COUNT)));
}

export function productByUpc(upc: string): Product | null {
  return PRODUCTS_BY_UPC.get(upc) ?? null;
}

export function reviewsOf(upc: string): readonly Review[] {
  return REVIEWS_BY_UPC.get(upc) ?? [];
}

/** The one `Wide` object: field `f<i>` holds `i`. */
export const WIDE: Readonly<Record<string, number>> = Object.fromEntries(Array.from({ length: WIDE_FIELDS }, (_, i) => [`f${i}`, i]));
