import type { DevApp, DevUser } from '../src/idp/index.js';

/**
 * The app registrations of the benchmark, in the dev identity provider's directory: the
 * gateway (a resource callers get tokens for, and the client that exchanges them), a public
 * client callers use, the two bench subgraphs, and up to {@link MAX_SCALING_SUBGRAPHS}
 * generated subgraphs for the scaling measurement. Every subgraph has its own audience, so
 * meshgate does one exchange per caller and subgraph, as in production.
 */

export const MAX_SCALING_SUBGRAPHS = 30;

export const BENCH_SCOPES = {
  products: 'Bench.Products.Read',
  reviews: 'Bench.Reviews.Read',
  items: 'Bench.Items.Read',
} as const;

const GATEWAY_ID = '0b5e7c11-4d2a-4f3b-9c1d-000000000001';
const CLIENT_ID = '0b5e7c11-4d2a-4f3b-9c1d-000000000002';
const PRODUCTS_ID = '0b5e7c11-4d2a-4f3b-9c1d-000000000010';
const REVIEWS_ID = '0b5e7c11-4d2a-4f3b-9c1d-000000000011';

/** Client id of generated subgraph `i` (0-based). */
function scalingSubgraphId(i: number): string {
  return `0b5e7c11-4d2a-4f3b-9c1d-0000000001${i.toString(16).padStart(2, '0')}`;
}

/** The app registration (audience) of generated subgraph `i`. */
export function scalingSubgraphApp(i: number): DevApp & { readonly appIdUri: string } {
  return {
    clientId: scalingSubgraphId(i),
    displayName: `Bench scaling subgraph ${i}`,
    appIdUri: `api://bench-sg${i}`,
    exposedScopes: [BENCH_SCOPES.items],
  };
}

const SCALING_APPS = Array.from({ length: MAX_SCALING_SUBGRAPHS }, (_, i) => scalingSubgraphApp(i));

export const BENCH_APPS = {
  gateway: {
    clientId: GATEWAY_ID,
    displayName: 'meshgate (bench)',
    appIdUri: 'api://bench-gateway',
    clientSecret: 'bench-gateway-secret',
    exposedScopes: Object.values(BENCH_SCOPES),
    // The gateway's own client-credentials tokens, used to read every subgraph's `_sdl`.
    appRoleGrants: Object.fromEntries(
      [PRODUCTS_ID, REVIEWS_ID, ...SCALING_APPS.map((app) => app.clientId)].map((id) => [id, ['Bench.Sdl.Read']]),
    ),
  },
  client: { clientId: CLIENT_ID, displayName: 'bench load generator' },
  products: {
    clientId: PRODUCTS_ID,
    displayName: 'Bench products subgraph',
    appIdUri: 'api://bench-products',
    exposedScopes: [BENCH_SCOPES.products],
  },
  reviews: {
    clientId: REVIEWS_ID,
    displayName: 'Bench reviews subgraph',
    appIdUri: 'api://bench-reviews',
    exposedScopes: [BENCH_SCOPES.reviews],
  },
} as const satisfies Record<string, DevApp>;

/** Every app the bench identity provider knows. */
export const BENCH_DIRECTORY: readonly DevApp[] = [...Object.values(BENCH_APPS), ...SCALING_APPS];

/** Caller number `i` (the distinct-callers measurement mints tokens for up to 10,000 of them). */
export function benchUser(i: number): DevUser {
  return {
    oid: `7e0c0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    name: `Bench caller ${i}`,
    preferredUsername: `caller${i}@bench.meshgate.dev`,
  };
}
