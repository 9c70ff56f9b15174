import { createHash } from 'node:crypto';
import { GraphQLError, getOperationAST, print, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { FieldDenial } from '../authz/plan-operation.js';
import type { GatewayContext, SubgraphCall } from '../server/gateway-context.js';
import type { AuditDenial, AuditEvent, AuditSink, AuditSubgraphCall } from './audit-sink.js';

const DENIED = 'UNAUTHORIZED_FIELD_OR_TYPE';

/**
 * Writes one audit event per executed operation (each operation of a batch on its own): who
 * asked, what was denied and why, which subgraphs were called with which audience and where
 * their token came from, and the outcome. It must come after `useAuthorization` and read the
 * final result, so denials answered with null and whole-operation refusals are both recorded.
 */
export function useAudit(options: { sink: AuditSink; now?: () => number }): Plugin<GatewayContext> {
  const now = options.now ?? Date.now;
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in Object(result)) return;
          const operation = getOperationAST(args.document, args.operationName);
          const event = operationAuditEvent(args.contextValue as GatewayContext, {
            operationName: operation?.name?.value ?? null,
            operationType: operation?.operation ?? null,
            operationHash: operationHashOf(args.document.loc?.source.body ?? print(args.document)),
          }, result as ExecutionResult, now());
          options.sink.write(event);
        },
      };
    },
  };
}

/** What an audit event says of the operation itself, the same for every run of one text. */
export interface AuditedOperation {
  readonly operationName: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription' | null;
  readonly operationHash: string;
}

/** SHA-256 (hex) of the operation text: identifies the query without storing it. */
export function operationHashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The audit event of one executed operation: `useAudit` writes it for operations yoga runs,
 * the direct lane (src/server/direct-lane.ts) for the ones it answers itself.
 */
export function operationAuditEvent(context: GatewayContext, operation: AuditedOperation, result: ExecutionResult, nowMs: number): AuditEvent {
  const { errors = [] } = result;
  const hasData = result.data != null;
  const errorCodes = [...new Set(errors.map(codeOf))];
  const onlyDenials = errorCodes.length > 0 && errorCodes.every((c) => c === DENIED);
  const principal = context.principal;
  return {
    type: 'graphql.operation',
    time: new Date(nowMs).toISOString(),
    requestId: context.requestId,
    ...operation,
    principal: principal
      ? { tenantId: principal.tenantId, objectId: principal.objectId, clientId: principal.clientId, kind: principal.isApp ? 'app' : 'person' }
      : null,
    denied: deniedCoordinates(context.denied),
    subgraphs: subgraphCalls(context.subgraphCalls),
    outcome:
      errors.length === 0 ? 'ok'
      : !hasData ? (onlyDenials ? 'rejected' : 'error')
      : onlyDenials ? 'denied'
      : 'partial',
    errorCodes,
  };
}

/** The error's public code; `INTERNAL` for a bug (masked for callers), `BAD_REQUEST` for graphql-js's request errors. */
function codeOf(error: GraphQLError): string {
  const code = error.extensions?.['code'];
  if (typeof code === 'string') return code;
  if (error.originalError && !(error.originalError instanceof GraphQLError)) return 'INTERNAL';
  return error.path ? 'GRAPHQL_ERROR' : 'BAD_REQUEST';
}

function deniedCoordinates(denials: readonly FieldDenial[]): AuditDenial[] {
  const byCoordinate = new Map<string, AuditDenial & { paths: string[][] }>();
  for (const denial of denials) {
    const key = JSON.stringify([denial.coordinate, denial.requiredScopes]);
    const entry = byCoordinate.get(key);
    if (entry) entry.paths.push([...denial.path]);
    else byCoordinate.set(key, { coordinate: denial.coordinate, requiredScopes: denial.requiredScopes, missingScopes: denial.missingScopes, paths: [[...denial.path]] });
  }
  return [...byCoordinate.values()];
}

function subgraphCalls(calls: readonly SubgraphCall[]): AuditSubgraphCall[] {
  const bySource = new Map<string, { subgraph: string; audience: string | undefined; tokenSource: string; fromCache: boolean; calls: number }>();
  for (const call of calls) {
    // The exchanger reports cache hits as "<how>-cached": the event says how and whether cached apart.
    const source: string = call.tokenSource;
    const fromCache = source.endsWith('-cached');
    const tokenSource = fromCache ? source.slice(0, -'-cached'.length) : source;
    const key = `${call.subgraph} ${source}`;
    const entry = bySource.get(key);
    if (entry) entry.calls++;
    else bySource.set(key, { subgraph: call.subgraph, audience: call.audience, tokenSource, fromCache, calls: 1 });
  }
  return [...bySource.values()];
}
