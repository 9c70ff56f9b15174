import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * When the identity provider asked for more claims during token exchange (conditional access,
 * MFA), the caller must step up and retry: answer 401 with the claims challenge
 * (learn.microsoft.com "Claims challenges") instead of partial data.
 */
export function useTokenChallenges(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (Symbol.asyncIterator in Object(result)) return;
      const challenge = (result as ExecutionResult).errors?.find((e) => e.extensions?.['code'] === 'INSUFFICIENT_CLAIMS');
      const claims = challenge?.extensions?.['claims'];
      if (!challenge || typeof claims !== 'string') return;
      const encoded = Buffer.from(claims, 'utf8').toString('base64');
      setResult({
        errors: [
          new GraphQLError('The identity provider requires more claims: acquire a new token with the claims challenge and retry.', {
            extensions: {
              code: 'INSUFFICIENT_CLAIMS',
              http: {
                status: 401,
                headers: { 'WWW-Authenticate': `Bearer realm="", error="insufficient_claims", claims="${encoded}"` },
              },
            },
          }),
        ],
      });
    },
  };
}
