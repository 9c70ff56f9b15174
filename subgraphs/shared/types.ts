import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import type { Caller } from './require-audience.js';

/** How a subgraph checks the tokens it receives: only its own audience gets in. */
export interface SubgraphAuthOptions {
  /** Accepted `iss` values: the identity provider's v2.0 issuer, maybe its v1.0 one too. */
  issuer: string | string[];
  /** The identity provider's JWKS (absolute http(s) URL). */
  jwksUri: string;
  /** This subgraph's own audiences: its client id and its `api://` URI. */
  audiences: readonly string[];
}

export interface SubgraphOptions {
  /** `false` only for unit tests of resolvers; the demo and e2e tests always pass auth. */
  auth: SubgraphAuthOptions | false;
  /** Extra yoga plugins, after the audience check (tests record what the subgraph received). */
  plugins?: Plugin[];
  /** Seed of the data generator. Default {@link DEFAULT_SEED}, so data is stable between runs. */
  seed?: number;
}

/** Counters for tests and benchmarks: they read how much work a query caused. */
export interface SubgraphStats {
  /** SQL statements executed since the subgraph was built (seeding not counted). */
  readonly sqlQueries: number;
}

/** What every resolver of a sample subgraph gets. */
export interface SubgraphContext<TLoaders> {
  /** The verified caller; absent only when the subgraph was built with `auth: false`. */
  caller?: Caller;
  /** Per-request DataLoaders: never shared between requests. */
  loaders: TLoaders;
}

export type SubgraphYoga = YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;

/** A built sample subgraph: a yoga app (a fetch handler and a node request listener). */
export interface Subgraph {
  readonly name: string;
  readonly yoga: SubgraphYoga;
  /** The SDL, exactly as in `typeDefs.graphql` (what `{ _sdl }` returns). */
  readonly typeDefs: string;
  readonly stats: SubgraphStats;
  /** Closes the database. */
  close(): void;
}
