import { GraphQLError, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import { depthLimitRule } from '../server/use-operation-limits.js';
import type { Plugin } from 'graphql-yoga';
import { principalOf } from '../auth/use-entra-auth.js';
import { errorBody, jsonResponse } from '../server/json-response.js';
import { BodyTooLargeError, readBoundedText } from '../util/read-bounded.js';
import type { AuthorizedGraph } from './authorized-graph.js';
import { explainOperation } from './explain-operation.js';
import { grantsOf } from './grants.js';
import { hideSuggestions } from './hide-suggestions.js';
import { OperationTooLargeError } from './inline-fragments.js';
import { ReservedAliasError } from './plan-operation.js';
import type { AuthorizationMode, IntrospectionMode } from './use-authorization.js';

/** Where `POST /explain` is served. */
export const EXPLAIN_PATH = '/explain';

/** Options of `useExplain`. */
export interface ExplainOptions {
  /** The graph being served; undefined while the gateway is starting (answered with 503). */
  readonly graph: () => AuthorizedGraph | undefined;
  /** As configured for `useAuthorization`; reported in the answer. Default `filter`. */
  readonly mode?: AuthorizationMode;
  /** As configured for `useAuthorization`. Default `filtered`. */
  readonly introspection?: IntrospectionMode;
  /** Largest request body read. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Default `/explain`. */
  readonly path?: string;
  /** `limits.maxDepth`: deeper operations are refused as on `/graphql`. Default no limit. */
  readonly maxDepth?: number;
}

/**
 * `POST /explain`: the authorization decision for an operation, without executing it or
 * calling any subgraph. The body is the one `/graphql` takes (`query`, `operationName`,
 * `variables`), the caller is authenticated exactly as for `/graphql` (the path must be among
 * `useEntraAuth`'s paths, and this plugin must come after it), and the answer is an
 * `Explanation`: each field coordinate with allow/deny, its rule and the missing scopes, and
 * the errors `/graphql` would answer. A document that does not parse or validate is answered
 * 400 with the GraphQL errors.
 */
export function useExplain(options: ExplainOptions): Plugin {
  const path = options.path ?? EXPLAIN_PATH;
  const mode = options.mode ?? 'filter';
  const introspection = options.introspection ?? 'filtered';
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const rules = options.maxDepth === undefined ? specifiedRules : [...specifiedRules, depthLimitRule(options.maxDepth)];
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError('useExplain: options.maxBodyBytes must be a positive integer');

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      const reply = (status: number, body: unknown, headers?: Record<string, string>) => endResponse(jsonResponse(fetchAPI, status, body, headers));
      if (request.method !== 'POST') return reply(405, errorBody('Use POST with a GraphQL request body.', 'BAD_REQUEST'), { allow: 'POST' });
      // After useEntraAuth: throws (fail closed) if this request was never authenticated.
      const grants = grantsOf(principalOf(request));
      const graph = options.graph();
      if (!graph) return reply(503, errorBody('The gateway is starting.', 'SERVICE_UNAVAILABLE'), { 'retry-after': '1' });

      let body: unknown;
      try {
        body = JSON.parse(await readBoundedText(request as unknown as Response, maxBodyBytes));
      } catch (error) {
        if (error instanceof BodyTooLargeError) return reply(413, errorBody(`Request body is larger than ${maxBodyBytes} bytes.`, 'PAYLOAD_TOO_LARGE'));
        return reply(400, errorBody('The body must be a JSON object: { "query": "...", "operationName"?: "...", "variables"?: {...} }.', 'BAD_REQUEST'));
      }
      const params = readParams(body);
      if (!params) {
        return reply(400, errorBody('The body must be a JSON object: { "query": "...", "operationName"?: "...", "variables"?: {...} }.', 'BAD_REQUEST'));
      }

      let document: DocumentNode;
      try {
        document = parse(params.query, { maxTokens: 100_000 });
      } catch (error) {
        const parseError = error instanceof GraphQLError ? error : new GraphQLError('The query does not parse.');
        return reply(400, { errors: [withCode(parseError, 'GRAPHQL_PARSE_FAILED')] });
      }
      let errors: readonly GraphQLError[] = validate(graph.schema, document, rules);
      if (errors.length > 0) {
        if (introspection !== 'full') errors = hideSuggestions(errors);
        return reply(400, { errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) });
      }

      let plan;
      try {
        plan = graph.planner.plan(document, params.operationName, grants);
      } catch (error) {
        if (error instanceof OperationTooLargeError) return reply(400, errorBody(`Operation is too large: ${error.message}.`, 'BAD_REQUEST'));
        if (error instanceof ReservedAliasError) return reply(400, errorBody(`The ${error.message}.`, 'BAD_REQUEST'));
        throw error;
      }
      if (!plan) {
        const message = params.operationName ? `Unknown operation named "${params.operationName}".` : 'Must provide operation name if query contains multiple operations.';
        return reply(400, errorBody(message, 'BAD_REQUEST'));
      }
      return reply(200, explainOperation(graph, plan, grants, { mode, introspection }));
    },
  };
}

function readParams(body: unknown): { query: string; operationName: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { query, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.length === 0) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, operationName: operationName ?? undefined };
}

function withCode(error: GraphQLError, code: string): Record<string, unknown> {
  return { ...error.toJSON(), extensions: { ...error.extensions, code } };
}
