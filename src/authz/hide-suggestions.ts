import { GraphQLError } from 'graphql';

// graphql-js appends hints such as ` Did you mean "email"?` or ` Did you mean the enum value "SMB"?`.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * The same errors without graphql-js's "Did you mean ...?" hints. Validation runs against the
 * whole graph, so its hints could name a field or type that filtered introspection hides from
 * this caller.
 *
 * @example hideSuggestions(validate(schema, parse('{ customer(id: "1") { emial } }')))
 */
export function hideSuggestions<T extends Error>(errors: readonly T[]): (T | GraphQLError)[] {
  return errors.map((error) => {
    if (!(error instanceof GraphQLError) || !error.message.includes('Did you mean')) return error;
    return new GraphQLError(error.message.replace(SUGGESTION, ''), {
      ...(error.nodes ? { nodes: error.nodes } : {}),
      ...(error.source ? { source: error.source } : {}),
      ...(error.positions ? { positions: error.positions } : {}),
      ...(error.path ? { path: error.path } : {}),
      ...(error.originalError ? { originalError: error.originalError } : {}),
      extensions: error.extensions,
    });
  });
}
