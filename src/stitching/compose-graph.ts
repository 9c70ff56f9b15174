import { buildASTSchema, isNonNullType, isObjectType, parse, printSchema, type GraphQLSchema } from 'graphql';
import { stitchSchemas } from '@graphql-tools/stitch';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { MapperKind, filterSchema, mapSchema, type Executor } from '@graphql-tools/utils';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { AuthorizationRules } from '../authz/authorization-rules.js';
import { CompositionError, MeshgateError } from '../errors.js';
import { parseSdl, type SubgraphSdl } from './load-subgraph-sdl.js';
import type { MergeEntryPoint, MergeRoute } from './merge-plan.js';

/** One subgraph to compose: its SDL and the executor that calls it. */
export interface SubgraphInput {
  readonly name: string;
  readonly sdl: SubgraphSdl;
  readonly executor: Executor;
}

/** The stitched graph callers query, with everything derived from it. */
export interface ComposedGraph {
  readonly schema: GraphQLSchema;
  /** The same graph without resolvers: used to answer denied fields over fetched data. */
  readonly shadowSchema: GraphQLSchema;
  readonly rules: AuthorizationRules;
  readonly subgraphs: readonly string[];
  /** Each subgraph's own schema and transport, for the single-subgraph fast path. */
  readonly routes: readonly MergeRoute[];
}

const { stitchingDirectivesTransformer } = stitchingDirectives();

/**
 * Root fields whose name starts with `_` are the subgraphs' plumbing (`_sdl`, merge resolvers
 * such as `_customersByIds`): stitching uses them, callers never see them.
 */
export function isHiddenRootField(typeName: string, fieldName: string): boolean {
  return (typeName === 'Query' || typeName === 'Mutation' || typeName === 'Subscription') && fieldName.startsWith('_');
}

/**
 * Stitches the subgraphs into one graph with batched type merging (stitching directives),
 * collects every subgraph's authorization rules, and fails closed if a rule cannot be
 * enforced on the result. Throws `CompositionError` / `AuthorizationRuleError` naming the
 * subgraph or coordinate at fault.
 */
export function composeGraph(inputs: readonly SubgraphInput[]): ComposedGraph {
  if (inputs.length === 0) throw new CompositionError('no subgraphs to compose');
  const rules = new AuthorizationRules();
  const subschemas: SubschemaConfig[] = inputs.map((input) => {
    // A fresh parse for every composition: stitchSchemas writes merged directive arguments back
    // into the AST it is given, so reusing a document across compositions would corrupt the
    // access rules read from it (a weakened rule after the second hot swap).
    const document = parseSdl(input.name, input.sdl.sdl);
    rules.addFromSdl(input.name, document);
    let schema: GraphQLSchema;
    try {
      schema = buildASTSchema(document);
    } catch (error) {
      throw new CompositionError(`subgraph "${input.name}": SDL is not a valid schema: ${(error as Error).message}`, { cause: error });
    }
    // `batch: true` merges the delegations of one execution tick into one request per subgraph.
    return { name: input.name, schema, executor: input.executor, batch: true };
  });

  let stitched: GraphQLSchema;
  try {
    stitched = stitchSchemas({ subschemas, subschemaConfigTransforms: [stitchingDirectivesTransformer] });
  } catch (error) {
    if (error instanceof MeshgateError) throw error;
    throw new CompositionError(`subgraphs do not compose: ${(error as Error).message}`, { cause: error });
  }
  const relaxed = fieldsOfOtherSubgraphs(subschemas.map((s) => s.schema));
  const schema = mapSchema(
    filterSchema({ schema: stitched, rootFieldFilter: (operation, fieldName) => !isHiddenRootField(operation, fieldName) }),
    {
      // One subgraph failing (down, or its token exchange refused) must null only its own
      // fields: a non-null field merged in from it would otherwise null the whole parent.
      [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) =>
        relaxed.has(`${typeName}.${fieldName}`) && isNonNullType(field.type) ? { ...field, type: field.type.ofType } : field,
    },
  );
  const query = schema.getQueryType();
  if (!query || !isObjectType(query) || Object.keys(query.getFields()).length === 0) {
    throw new CompositionError('the composed graph has no public Query fields');
  }
  rules.assertEnforceable(schema, isHiddenRootField);
  const shadowSchema = buildASTSchema(parse(printSchema(schema)), { assumeValidSDL: true });
  const routes = subschemas.map((s, i) => ({ name: inputs[i]!.name, schema: s.schema, executor: inputs[i]!.executor, entryPoints: batchedEntryPoints(s) }));
  return { schema, shadowSchema, rules, subgraphs: inputs.map((i) => i.name), routes };
}

/**
 * Each merged type's batched entry point in one subgraph (`@merge` on a root field taking a
 * list of keys), as the stitching directives define it: the same transformer stitching runs,
 * so the planner (merge-plan.ts) sends the very requests stitching would.
 */
function batchedEntryPoints(config: SubschemaConfig): Map<string, MergeEntryPoint> {
  const found = new Map<string, MergeEntryPoint>();
  const transformed = stitchingDirectivesTransformer(config);
  for (const [typeName, merged] of Object.entries(transformed.merge ?? {})) {
    const candidates = [merged, ...(merged.entryPoints ?? [])].filter((e) => e.fieldName && e.key && e.argsFromKeys && typeof e.selectionSet === 'string');
    // Several batched entry points: stitching picks per query; leave those types to it.
    if (candidates.length !== 1) continue;
    const entry = candidates[0]!;
    // Fields that need more of the object than its key (`@computed`): the planner leaves them to stitching.
    const computedFields = new Set(Object.entries(merged.fields ?? {}).filter(([, field]) => field?.selectionSet || field?.computed).map(([name]) => name));
    found.set(typeName, {
      fieldName: entry.fieldName!,
      selectionSet: entry.selectionSet!,
      key: entry.key as MergeEntryPoint['key'],
      argsFromKeys: entry.argsFromKeys as MergeEntryPoint['argsFromKeys'],
      computedFields,
    });
  }
  return found;
}

/**
 * Fields of merged types (object types that several subgraphs define) that not every one of
 * those subgraphs serves: they are fetched from another subgraph than their parent may come
 * from, so they are made nullable in the gateway's graph. Key fields (served by all) stay as
 * they are.
 */
function fieldsOfOtherSubgraphs(schemas: readonly GraphQLSchema[]): Set<string> {
  const servedBy = new Map<string, Map<string, number>>();
  const definedBy = new Map<string, number>();
  for (const schema of schemas) {
    const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((t) => t?.name));
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type.name)) continue;
      definedBy.set(type.name, (definedBy.get(type.name) ?? 0) + 1);
      const fields = servedBy.get(type.name) ?? new Map<string, number>();
      for (const name of Object.keys(type.getFields())) fields.set(name, (fields.get(name) ?? 0) + 1);
      servedBy.set(type.name, fields);
    }
  }
  const relaxed = new Set<string>();
  for (const [typeName, count] of definedBy) {
    if (count < 2) continue;
    for (const [fieldName, served] of servedBy.get(typeName) ?? []) {
      if (served < count) relaxed.add(`${typeName}.${fieldName}`);
    }
  }
  return relaxed;
}
