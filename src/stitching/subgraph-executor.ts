import { GraphQLError, print, type DocumentNode } from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import type { SubgraphTokenPolicy } from '../exchange/exchange-settings.js';
import type { TokenExchanger } from '../exchange/token-exchanger.js';
import { TokenExchangeError } from '../exchange/token-exchange-error.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { createFetchTransport, SubgraphTransportError, type SubgraphTransport } from './subgraph-transport.js';

/** Options of `createSubgraphExecutor`. */
export interface SubgraphExecutorOptions {
  readonly url: string;
  readonly policy: SubgraphTokenPolicy;
  readonly exchanger: TokenExchanger;
  /** Timeout of one subgraph request. Default 10 s. */
  readonly timeoutMs?: number;
  /** Largest response accepted from the subgraph. Default 16 MiB. */
  readonly maxResponseBytes?: number;
  /** How requests reach the subgraph: the gateway's shared connection pools. Default: `fetch` (or the global one). */
  readonly transport?: SubgraphTransport;
  readonly fetch?: typeof fetch;
}

const printed = new WeakMap<DocumentNode, string>();

/**
 * The transport of one subgraph: for each delegated request, ask the exchanger for a token of
 * this subgraph's audience for this caller, then POST the operation. Failures become GraphQL
 * errors that name the subgraph, so stitching answers that subgraph's fields with `null` and
 * keeps the rest of the data.
 *
 * There is deliberately no in-flight de-duplication of identical requests here (unlike
 * @graphql-tools/executor-http, whose key would not see a token added at this level): two
 * callers sending the same query at once must never share a response. Stitching's batching
 * merges delegations of one request only (its batching executors are kept per context).
 */
export function createSubgraphExecutor(options: SubgraphExecutorOptions): Executor {
  const { url, policy, exchanger } = options;
  const transport = options.transport ?? createFetchTransport(options.fetch ?? globalThis.fetch);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;

  return async (request: ExecutionRequest): Promise<ExecutionResult> => {
    const context = request.context as Partial<GatewayContext> | undefined;
    // Fail closed: without the gateway's context there is no caller to get a token for, and
    // treating that as "anonymous" could hand out the gateway's own token.
    if (!context || !Array.isArray(context.subgraphCalls) || context.principal === undefined) {
      return { errors: [unavailable(policy.subgraph, 'cannot be called outside a gateway request')] };
    }
    let token: string | undefined;
    try {
      const issued = await exchanger.tokenFor(context.principal, policy);
      token = issued.token;
      context.subgraphCalls.push({ subgraph: policy.subgraph, audience: policy.audience, tokenSource: issued.source });
    } catch (error) {
      context.subgraphCalls.push({ subgraph: policy.subgraph, audience: policy.audience, tokenSource: 'failed' });
      if (error instanceof TokenExchangeError) {
        return { errors: [exchangeError(error)] };
      }
      throw error;
    }

    let query = printed.get(request.document);
    if (query === undefined) {
      query = print(request.document);
      printed.set(request.document, query);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;

    let reply;
    try {
      reply = await transport.post({
        url,
        headers,
        body: JSON.stringify({ query, variables: request.variables, operationName: request.operationName }),
        timeoutMs,
        maxResponseBytes,
      });
    } catch (error) {
      const reason = error instanceof SubgraphTransportError ? error.reason : 'unreachable';
      if (reason === 'too-large') return { errors: [unavailable(policy.subgraph, `answered more than ${maxResponseBytes} bytes`)] };
      return { errors: [unavailable(policy.subgraph, reason === 'timed-out' ? 'timed out' : 'is unreachable')] };
    }
    if (reply.status === 401 || reply.status === 403) {
      return { errors: [unavailable(policy.subgraph, `refused the gateway's token (${reply.status})`)] };
    }
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      body = undefined;
    }
    if (!isExecutionResult(body)) return { errors: [unavailable(policy.subgraph, `answered ${reply.status} without a GraphQL response`)] };
    return body;
  };
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return value !== null && typeof value === 'object' && ('data' in value || 'errors' in value);
}

function unavailable(subgraph: string, what: string): GraphQLError {
  return new GraphQLError(`Subgraph "${subgraph}" ${what}.`, { extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph } });
}

/**
 * The error callers see for a subgraph whose token could not be obtained. No `originalError`:
 * yoga masks errors that wrap a non-GraphQL error, and this one is meant for the caller. Its
 * message and `stsError` hold only our own words and the STS's OAuth code, never its description.
 */
function exchangeError(error: TokenExchangeError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      subgraph: error.subgraph,
      ...(error.stsError ? { stsError: error.stsError } : {}),
      // A conditional-access challenge is meant for the caller (it becomes WWW-Authenticate).
      ...(error.claims ? { claims: error.claims } : {}),
    },
  });
}
