import { createHash } from 'node:crypto';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../server/gateway-context.js';
import type { AuditEvent, AuditSink } from './audit-sink.js';

/**
 * Writes one audit event per executed operation: who asked, what was denied and why, which
 * subgraphs were called with which audience and where their token came from, and the outcome.
 */
export function useAudit(options: { sink: AuditSink; now?: () => number }): Plugin<GatewayContext> {
  const now = options.now ?? Date.now;
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in Object(result)) return;
          const context = args.contextValue as GatewayContext;
          const { data, errors = [] } = result as ExecutionResult;
          const errorCodes = [...new Set(errors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL')))];
          const denied = context.denied.map((d) => ({ coordinate: d.coordinate, requiredScopes: d.requiredScopes, missingScopes: d.missingScopes }));
          const principal = context.principal;
          const source = args.document.loc?.source.body ?? '';
          const event: AuditEvent = {
            type: 'graphql.operation',
            time: new Date(now()).toISOString(),
            requestId: context.requestId,
            operationName: getOperationAST(args.document, args.operationName)?.name?.value ?? null,
            operationHash: createHash('sha256').update(source).digest('hex'),
            principal: principal
              ? { tenantId: principal.tenantId, objectId: principal.objectId, clientId: principal.clientId, kind: principal.isApp ? 'app' : 'person' }
              : null,
            denied: uniqueBy(denied, (d) => d.coordinate),
            subgraphs: uniqueBy(context.subgraphCalls, (c) => `${c.subgraph} ${c.tokenSource}`),
            outcome: data == null && errors.length ? 'error' : errors.length === 0 ? 'ok' : errorCodes.every((c) => c === 'UNAUTHORIZED_FIELD_OR_TYPE') ? 'denied' : 'partial',
            errorCodes,
          };
          options.sink.write(event);
        },
      };
    },
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
