// What a sample subgraph received, as field coordinates of its own schema: a precise record of
// what the gateway sent that does not depend on how the operation text was printed.
import { readFileSync } from 'node:fs';
import { buildSchema, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { Recorder } from '../e2e/support.js';

export type SampleSubgraph = 'customers' | 'orders' | 'knowledge';

const schemas = new Map<SampleSubgraph, GraphQLSchema>();

function schemaOf(name: SampleSubgraph): GraphQLSchema {
  let schema = schemas.get(name);
  if (!schema) {
    schema = buildSchema(readFileSync(new URL(`../../subgraphs/${name}/typeDefs.graphql`, import.meta.url), 'utf8'));
    schemas.set(name, schema);
  }
  return schema;
}

/** "Type.field" of every field (but `__typename`) in the operations `recorder` holds, sorted, once each. */
export function receivedCoordinates(name: SampleSubgraph, recorder: Recorder): string[] {
  const schema = schemaOf(name);
  const coordinates = new Set<string>();
  for (const text of recorder.operations) {
    if (text.trim() === '{ _sdl }') continue;
    const typeInfo = new TypeInfo(schema);
    visit(
      parse(text),
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (!node.name.value.startsWith('__') && parent) coordinates.add(`${parent.name}.${node.name.value}`);
        },
      }),
    );
  }
  return [...coordinates].sort();
}
