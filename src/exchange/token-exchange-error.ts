import { MeshgateError } from '../errors.js';

/**
 * No token could be obtained for a subgraph. `stsError` is the STS's OAuth `error` code (safe
 * to pass on); its `error_description` is never kept here, because STSs may echo input in it.
 * `claims` is set when the STS asks the caller to step up (conditional access): the gateway
 * then answers 401 `INSUFFICIENT_CLAIMS` with the claims challenge.
 */
export class TokenExchangeError extends MeshgateError {
  readonly subgraph: string;
  readonly stsError: string | undefined;
  readonly claims: string | undefined;
  constructor(subgraph: string, reason: string, details: { stsError?: string | undefined; claims?: string | undefined; cause?: unknown } = {}) {
    super(details.claims ? 'INSUFFICIENT_CLAIMS' : 'TOKEN_EXCHANGE_FAILED', `Token exchange for subgraph "${subgraph}" failed: ${reason}`, {
      cause: details.cause,
    });
    this.subgraph = subgraph;
    this.stsError = details.stsError;
    this.claims = details.claims;
  }
}
