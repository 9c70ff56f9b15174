/**
 * What the runner sends each child process in its `start` request, and the endpoints they
 * serve. Kept out of the entry files: importing an entry file would start a server.
 */

/** The three endpoints of one bench subgraph process (same data, same resolvers). */
export const BENCH_SUBGRAPH_PATHS = {
  /** Stitching, accepts only tokens of its own audience: what meshgate calls. */
  secured: '/graphql',
  /** Stitching, no token: the plain stitch gateway and the direct baseline. */
  open: '/open/graphql',
  /** Apollo Federation, no token: Hive Gateway and Apollo Gateway. */
  federation: '/federation/graphql',
} as const;

/** Path of generated subgraph `i` on the scaling subgraphs process. */
export function scalingSubgraphPath(i: number): string {
  return `/sg${i}/graphql`;
}

export interface BenchSubgraphStart {
  readonly name: 'products' | 'reviews';
  readonly issuer: string;
  readonly jwksUri: string;
  /** This subgraph's own audiences (client id and Application ID URI). */
  readonly audiences: readonly string[];
}

export interface ScalingSubgraphsStart {
  readonly count: number;
  readonly issuer: string;
  readonly jwksUri: string;
}

export interface SubgraphEndpoint {
  readonly name: string;
  readonly url: string;
}

export interface MeshgateStart {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly subgraphs: readonly (SubgraphEndpoint & { readonly audience: string })[];
}

export interface StitchGatewayStart {
  readonly subgraphs: readonly SubgraphEndpoint[];
}

export interface ApolloGatewayStart {
  readonly subgraphs: readonly SubgraphEndpoint[];
}

export interface HiveGatewayStart {
  readonly supergraphSdl: string;
}

/** The identity provider child: its endpoints. */
export interface IdpStarted {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
}

/**
 * `mint`: user tokens for callers `from` .. `from + count - 1`, for `audience` (default: the
 * gateway), with `scopes` (default: every scope the audience exposes).
 */
export interface MintRequest {
  readonly from: number;
  readonly count: number;
  readonly audience?: string;
  readonly scopes?: readonly string[];
}

/** What the meshgate child reports about its caches. */
export interface MeshgateStats {
  readonly exchange: { readonly hits: number; readonly misses: number; readonly exchanges: number; readonly failures: number };
}
