import { readFileSync } from 'node:fs';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { IResolvers } from '@graphql-tools/utils';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { normalizeAuthOptions, useRequireAudience } from './require-audience.js';
import type { SqlStore } from './sql-store.js';
import { DEFAULT_SEED } from './random.js';
import type { Subgraph, SubgraphContext, SubgraphOptions, SubgraphYoga } from './types.js';

/** What one sample subgraph brings; {@link buildSubgraph} adds everything they share. */
export interface SubgraphDefinition<TLoaders> {
  readonly name: string;
  /** The SDL text, served as is by `_sdl`. */
  readonly typeDefs: string;
  /** Resolvers of everything but `Query._sdl`. */
  readonly resolvers: IResolvers<unknown, SubgraphContext<TLoaders>>;
  /** The subgraph's database; `close()` closes it. */
  readonly store: SqlStore;
  /** Fresh DataLoaders for one request. */
  createLoaders(): TLoaders;
}

/** The options every sample subgraph takes, checked once, with defaults applied. */
export interface NormalizedSubgraphOptions {
  auth: SubgraphOptions['auth'];
  plugins: Plugin[];
  seed: number;
}

/** Checks {@link SubgraphOptions}, naming the bad option. */
export function normalizeSubgraphOptions(name: string, options: SubgraphOptions): NormalizedSubgraphOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name} subgraph: options are required ({ auth, plugins?, seed? })`);
  }
  const { auth } = options;
  if (auth !== false && (typeof auth !== 'object' || auth === null)) {
    // Fail closed: forgetting auth must not build an open subgraph.
    throw new TypeError(`${name} subgraph: options.auth is required: { issuer, jwksUri, audiences }, or false in resolver unit tests`);
  }
  if (auth !== false) {
    // Checked here, before the database is built, so a bad option leaks nothing.
    try {
      normalizeAuthOptions(auth);
    } catch (error) {
      throw new TypeError(`${name} subgraph: options.${(error as Error).message}`);
    }
  }
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new TypeError(`${name} subgraph: options.seed must be an integer between 0 and 4294967295`);
  }
  if (options.plugins !== undefined && !Array.isArray(options.plugins)) {
    throw new TypeError(`${name} subgraph: options.plugins must be a list of yoga plugins`);
  }
  return { auth, plugins: options.plugins ?? [], seed };
}

/** Reads a subgraph's `typeDefs.graphql`, next to the module (works from `src` and `dist`). */
export function readTypeDefs(url: URL): string {
  return readFileSync(url, 'utf8');
}

/**
 * Assembles a sample subgraph: schema (validated against the stitching directives), the
 * audience check, per-request loaders, `_sdl`, and the settings they all share (GraphiQL and
 * landing page off, masked errors, `/graphql`).
 */
export function buildSubgraph<TLoaders>(definition: SubgraphDefinition<TLoaders>, options: NormalizedSubgraphOptions): Subgraph {
  const { name, typeDefs, store } = definition;
  let schema: GraphQLSchema;
  try {
    schema = createSchema<SubgraphContext<TLoaders>>({
      typeDefs,
      resolvers: [definition.resolvers, { Query: { _sdl: () => typeDefs } }],
    });
    // Catches a broken @key/@merge in the SDL here rather than in the gateway.
    schema = stitchingDirectives().stitchingDirectivesValidator(schema);
  } catch (error) {
    store.close();
    throw error;
  }

  const plugins: Plugin[] = [];
  if (options.auth !== false) plugins.push(useRequireAudience(options.auth));
  plugins.push(...options.plugins);

  const yoga: SubgraphYoga = createYoga<Record<string, unknown>, Record<string, unknown>>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    plugins,
    context: () => ({ loaders: definition.createLoaders() }),
  });

  return {
    name,
    yoga,
    typeDefs,
    stats: {
      get sqlQueries() {
        return store.queries;
      },
    },
    close: () => store.close(),
  };
}
