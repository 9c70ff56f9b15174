import {
  Kind,
  OperationTypeNode,
  getNamedType,
  getOperationAST,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  parseType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { perOperation, rootFieldOwners } from './per-operation.js';
import type { ForwardOperation } from './single-subgraph-route.js';

/** How a subgraph resolves a merged type from keys (a batched `@merge` entry point). */
export interface MergeEntryPoint {
  /** The subgraph's root field that takes a list of keys and returns the objects in order. */
  readonly fieldName: string;
  /** The key fields, e.g. `{ upc }`. */
  readonly selectionSet: string;
  readonly key: (original: Record<string, unknown>) => unknown;
  readonly argsFromKeys: (keys: readonly unknown[]) => Record<string, unknown>;
  /** Fields that need more of the object than its key (`@computed`): never planned. */
  readonly computedFields: ReadonlySet<string>;
}

/** One subgraph as the merge planner sees it. */
export interface MergeRoute {
  readonly name: string;
  readonly schema: GraphQLSchema;
  readonly executor: Executor;
  /** Batched entry points by type name (from the stitching directives). */
  readonly entryPoints: ReadonlyMap<string, MergeEntryPoint>;
}


/** Keys added for merging are fetched under aliases callers cannot use (the planner refuses `__meshgate*`). */
const KEY_ALIAS = '__meshgate_key_';
const MERGE_ALIAS = '__meshgate_merge';

interface MergeStep {
  /** Response keys from the root to the objects to complete (lists are walked through). */
  readonly path: readonly string[];
  readonly route: MergeRoute;
  readonly entryPoint: MergeEntryPoint;
  /** Key fields, fetched from the first subgraph as `__meshgate_key_<name>`. */
  readonly keyFields: readonly string[];
  /** The query sent to `route`, with one variable per argument of the entry point. */
  readonly document: DocumentNode;
}

interface Plan {
  readonly first: MergeRoute;
  readonly document: DocumentNode;
  readonly steps: readonly MergeStep[];
  /** The caller's selection, to shape the answer in the order asked. */
  readonly selectionSet: SelectionSetNode;
  readonly rootType: GraphQLObjectType;
}

/**
 * Batched type merging for the common shape, planned once per document: root fields from one
 * subgraph, and fields of merged object types that one other subgraph serves, fetched in one
 * batched request per position through that subgraph's `@merge` entry point, exactly the
 * requests stitching would send. The plan is cached by document (documents are cached by
 * yoga's parser), so a request pays neither stitching's planning nor its re-printing.
 *
 * Anything else is left to stitching (no plan): fragments, directives, abstract types, fields
 * more than one hop away, keys that are not plain fields, variables used in merged parts,
 * mutations. At run time, any error, missing object or null where the graph promises a value
 * also hands the operation to stitching, which answers it field by field; so planned answers
 * are plain successes only, shaped in the order the caller asked.
 */
export function createMergePlanner(routes: readonly MergeRoute[], gatewaySchema: GraphQLSchema): (document: DocumentNode, operationName?: string | null) => ForwardOperation | undefined {
  const owners = rootFieldOwners(routes);

  function plan(document: DocumentNode, operationName: string | null | undefined): Plan | undefined {
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation !== OperationTypeNode.QUERY || operation.directives?.length) return undefined;
    if (!plainSelections(operation.selectionSet)) return undefined;
    const rootType = gatewaySchema.getQueryType();
    let first: MergeRoute | undefined;
    for (const selection of operation.selectionSet.selections as readonly FieldNode[]) {
      if (selection.name.value === '__typename') continue;
      const owner = owners.get(selection.name.value);
      if (!owner || (first && owner !== first)) return undefined;
      first = owner;
    }
    const firstRoot = first?.schema.getQueryType();
    if (!first || !firstRoot || !rootType) return undefined;
    const steps: MergeStep[] = [];
    const selectionSet = split(first, firstRoot, rootType, operation.selectionSet, [], steps);
    if (!selectionSet || steps.length === 0) return undefined;
    const firstDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] };
    return { first, document: firstDocument, steps, selectionSet: operation.selectionSet, rootType };
  }

  /**
   * The part of `selectionSet` (on `gatewayType`) that `route` serves as `routeType`, with key
   * fields added where another subgraph completes the objects; the merge steps go to `steps`.
   */
  function split(route: MergeRoute, routeType: GraphQLObjectType, gatewayType: GraphQLObjectType, selectionSet: SelectionSetNode, path: readonly string[], steps: MergeStep[]): SelectionSetNode | undefined {
    const kept: FieldNode[] = [];
    const elsewhere = new Map<MergeRoute, FieldNode[]>();
    const routeFields = routeType.getFields();
    const gatewayFields = gatewayType.getFields();
    for (const field of selectionSet.selections as readonly FieldNode[]) {
      const name = field.name.value;
      if (name === '__typename') {
        kept.push(field);
        continue;
      }
      const gatewayField = gatewayFields[name];
      if (!gatewayField) return undefined;
      const own = routeFields[name];
      if (own) {
        const sub = subSelection(route, own, gatewayField, field, [...path, responseKey(field)], steps);
        if (sub === null) return undefined;
        kept.push(sub);
        continue;
      }
      // Served by exactly one other subgraph, which can complete this type from keys.
      const servers = routes.filter((r) => r !== route && fieldOf(r.schema, gatewayType.name, name));
      const server = servers.length === 1 ? servers[0] : undefined;
      const entryPoint = server?.entryPoints.get(gatewayType.name);
      if (!server || !entryPoint || entryPoint.computedFields.has(name) || usesVariables(field)) return undefined;
      const serverType = server.schema.getType(gatewayType.name);
      const serverField = fieldOf(server.schema, gatewayType.name, name);
      if (!isObjectType(serverType) || !serverField || !servedWhole(server.schema, serverField.type, field)) return undefined;
      elsewhere.set(server, [...(elsewhere.get(server) ?? []), field]);
    }
    for (const [server, fields] of elsewhere) {
      const entryPoint = server.entryPoints.get(gatewayType.name) as MergeEntryPoint;
      const keyFields = plainKeyFields(entryPoint.selectionSet);
      if (!keyFields || keyFields.some((k) => !routeFields[k] || !isLeafType(getNamedType(routeFields[k].type)))) return undefined;
      if (!keyNeedsOnly(entryPoint, keyFields)) return undefined;
      const step = mergeStep(server, entryPoint, keyFields, fields, path);
      if (!step) return undefined;
      steps.push(step);
      for (const key of keyFields) kept.push(aliasedField(`${KEY_ALIAS}${key}`, key));
    }
    return { kind: Kind.SELECTION_SET, selections: kept };
  }

  /** A field `route` serves, with its own selection split in turn; null when it cannot be planned. */
  function subSelection(route: MergeRoute, own: GraphQLField<unknown, unknown>, gatewayField: GraphQLField<unknown, unknown>, field: FieldNode, path: readonly string[], steps: MergeStep[]): FieldNode | null {
    if (!field.selectionSet) return field;
    const routeType = getNamedType(own.type);
    const gatewayType = getNamedType(gatewayField.type);
    if (!isObjectType(routeType) || !isObjectType(gatewayType)) return null;
    const selectionSet = split(route, routeType, gatewayType, field.selectionSet, path, steps);
    return selectionSet ? { ...field, selectionSet } : null;
  }

  function mergeStep(server: MergeRoute, entryPoint: MergeEntryPoint, keyFields: readonly string[], fields: readonly FieldNode[], path: readonly string[]): MergeStep | undefined {
    const rootField = server.schema.getQueryType()?.getFields()[entryPoint.fieldName];
    if (!rootField) return undefined;
    // The argument names come from the entry point itself (what it makes of no keys).
    let argNames: string[];
    try {
      argNames = Object.keys(entryPoint.argsFromKeys([]));
    } catch {
      return undefined;
    }
    const variables: VariableDefinitionNode[] = [];
    for (const argName of argNames) {
      const arg = rootField.args.find((a) => a.name === argName);
      if (!arg) return undefined;
      variables.push({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: argName } },
        type: parseType(String(arg.type)),
      });
    }
    const operation: OperationDefinitionNode = {
      kind: Kind.OPERATION_DEFINITION,
      operation: OperationTypeNode.QUERY,
      variableDefinitions: variables,
      selectionSet: {
        kind: Kind.SELECTION_SET,
        selections: [{
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: MERGE_ALIAS },
          name: { kind: Kind.NAME, value: entryPoint.fieldName },
          arguments: argNames.map((argName) => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argName }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: argName } } })),
          selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
        }],
      },
    };
    // Printed and parsed once: the subgraph executor prints each document once too.
    const document = parse(print({ kind: Kind.DOCUMENT, definitions: [operation] }));
    return { path, route: server, entryPoint, keyFields, document };
  }

  async function run(plan: Plan, request: ExecutionRequest): Promise<ExecutionResult | undefined> {
    const firstResult = (await plan.first.executor({ ...request, document: plan.document })) as ExecutionResult;
    if (firstResult.errors?.length || !isRecord(firstResult.data)) return undefined;
    const data = firstResult.data;
    const completed = await Promise.all(plan.steps.map(async (step) => {
      const objects: Record<string, unknown>[] = [];
      if (!collect(data, step.path, 0, objects)) return false;
      if (objects.length === 0) return true;
      const keys = objects.map((object) => {
        const source: Record<string, unknown> = {};
        for (const key of step.keyFields) source[key] = object[`${KEY_ALIAS}${key}`];
        return step.entryPoint.key(source);
      });
      const result = (await step.route.executor({
        document: step.document,
        variables: step.entryPoint.argsFromKeys(keys),
        ...(request.context === undefined ? {} : { context: request.context }),
      })) as ExecutionResult;
      const found = isRecord(result.data) ? result.data[MERGE_ALIAS] : undefined;
      if (result.errors?.length || !Array.isArray(found) || found.length !== objects.length) return false;
      for (let i = 0; i < objects.length; i++) {
        const part = found[i];
        if (!isRecord(part)) return false;
        Object.assign(objects[i] as Record<string, unknown>, part);
      }
      return true;
    }));
    if (completed.includes(false)) return undefined;
    const shaped = shape(plan.rootType, plan.selectionSet, data);
    return shaped === INCOMPLETE ? undefined : { data: shaped as Record<string, unknown> };
  }

  return perOperation((document, operationName) => {
    const planned = plan(document, operationName);
    // A miss answers { data: null }: the caller falls back to stitching, as for a forward.
    return planned ? async (request: ExecutionRequest) => (await run(planned, request)) ?? { data: null } : null;
  });
}

const INCOMPLETE = Symbol('incomplete');

/**
 * The answer in the caller's shape: their fields in their order, nothing added for merging.
 * A null where the graph's type is non-null (stitching would report an error) is INCOMPLETE.
 */
function shape(type: GraphQLObjectType, selectionSet: SelectionSetNode, raw: Record<string, unknown>): Record<string, unknown> | typeof INCOMPLETE {
  const out: Record<string, unknown> = {};
  const fields = type.getFields();
  for (const field of selectionSet.selections as readonly FieldNode[]) {
    const key = responseKey(field);
    if (field.name.value === '__typename') {
      out[key] = raw[key];
      continue;
    }
    const definition = fields[field.name.value];
    if (!definition) return INCOMPLETE;
    const value = shapeValue(definition.type, field.selectionSet, raw[key]);
    if (value === INCOMPLETE) return INCOMPLETE;
    out[key] = value;
  }
  return out;
}

function shapeValue(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, value: unknown): unknown {
  if (value === undefined) return INCOMPLETE;
  if (isNonNullType(type)) return value === null ? INCOMPLETE : shapeValue(type.ofType, selectionSet, value);
  if (value === null) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) return INCOMPLETE;
    const items: unknown[] = [];
    for (const item of value) {
      const shaped = shapeValue(type.ofType, selectionSet, item);
      if (shaped === INCOMPLETE) return INCOMPLETE;
      items.push(shaped);
    }
    return items;
  }
  if (!selectionSet) {
    // What the gateway's own execution would answer: the graph's serialization of the value.
    if (!isLeafType(type)) return INCOMPLETE;
    try {
      const serialized = type.serialize(value);
      return serialized === undefined ? INCOMPLETE : serialized;
    } catch {
      return INCOMPLETE;
    }
  }
  if (!isObjectType(type) || !isRecord(value)) return INCOMPLETE;
  return shape(type, selectionSet, value);
}

/** Objects at `path` under `value`, through lists; false when the data is not the expected shape. */
function collect(value: unknown, path: readonly string[], index: number, out: Record<string, unknown>[]): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.every((item) => collect(item, path, index, out));
  if (!isRecord(value)) return false;
  if (index === path.length) {
    out.push(value);
    return true;
  }
  return collect(value[path[index] as string], path, index + 1, out);
}

/** Only fields, no fragments or directives, no response key twice, all the way down. */
function plainSelections(selectionSet: SelectionSetNode): boolean {
  const keys = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return false;
    const key = responseKey(selection);
    if (keys.has(key) || key.startsWith('__meshgate')) return false;
    keys.add(key);
    if (selection.selectionSet && !plainSelections(selection.selectionSet)) return false;
  }
  return true;
}

/** Whether `field`'s whole selection is valid in `schema` from `type` (no further hop). */
function servedWhole(schema: GraphQLSchema, type: GraphQLOutputType, field: FieldNode): boolean {
  const named = getNamedType(type);
  if (!field.selectionSet) return isLeafType(named);
  if (!isObjectType(named)) return false;
  const fields = named.getFields();
  return (field.selectionSet.selections as readonly FieldNode[]).every((sub) => {
    if (sub.name.value === '__typename') return true;
    const own = fields[sub.name.value];
    return own !== undefined && servedWhole(schema, own.type, sub);
  });
}

function usesVariables(field: FieldNode): boolean {
  let found = false;
  visit(field, { Variable: () => void (found = true) });
  return found;
}

function plainKeyFields(selectionSet: string): string[] | undefined {
  let parsed: SelectionSetNode;
  try {
    const document = parse(`{ ${selectionSet.trim().replace(/^\{|\}$/g, '')} }`);
    parsed = (document.definitions[0] as OperationDefinitionNode).selectionSet;
  } catch {
    return undefined;
  }
  const names: string[] = [];
  for (const selection of parsed.selections) {
    if (selection.kind !== Kind.FIELD || selection.selectionSet || selection.alias || selection.arguments?.length) return undefined;
    names.push(selection.name.value);
  }
  return names.length ? names : undefined;
}

/**
 * Whether the entry point's key is made of the key fields alone: some keys (an input object
 * key, a `@computed` field's needs) read more of the object (other fields, `__typename`),
 * which only stitching knows to fetch.
 */
function keyNeedsOnly(entryPoint: MergeEntryPoint, keyFields: readonly string[]): boolean {
  const probe = Object.fromEntries(keyFields.map((field) => [field, `probe-${field}`]));
  let key: unknown;
  try {
    key = entryPoint.key(probe);
  } catch {
    return false;
  }
  return fullyDefined(key);
}

function fullyDefined(value: unknown): boolean {
  if (value === undefined) return false;
  if (value === null || typeof value !== 'object') return true;
  return Object.values(value).every(fullyDefined);
}

function fieldOf(schema: GraphQLSchema, typeName: string, fieldName: string): GraphQLField<unknown, unknown> | undefined {
  const type = schema.getType(typeName);
  return isObjectType(type) ? type.getFields()[fieldName] : undefined;
}

function aliasedField(alias: string, name: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: name } };
}

function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
