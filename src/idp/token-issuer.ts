import { buildAccessTokenClaims } from './claims.js';
import type { AccessTokenClaimsInput } from './claims.js';
import type { SigningAlgorithm, SigningKeySet } from './signing-keys.js';

/** What a grant decides about a token; the issuer adds the issuer, tenant, times and signature. */
export type AccessTokenRequest = Omit<AccessTokenClaimsInput, 'issuer' | 'tenantId' | 'issuedAtSeconds' | 'lifetimeSeconds'> & {
  readonly lifetimeSeconds?: number;
  /** Default RS256 (every grant); only `mint` asks for another, to craft tokens a resource must refuse. */
  readonly algorithm?: SigningAlgorithm;
};

export interface IssuedAccessToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}

export interface TokenIssuerOptions {
  readonly tenantId: string;
  /** v2.0 issuer, `${url}/${tenantId}/v2.0`. */
  readonly issuer: string;
  /** v1.0 issuer, `${url}/${tenantId}/` (stands in for `https://sts.windows.net/{tid}/`). */
  readonly v1Issuer: string;
  readonly keys: SigningKeySet;
  readonly now: () => number;
  readonly lifetimeSeconds: number;
}

/** Signs access tokens: the one place that turns claims into a token, for every grant and `mint`. */
export class TokenIssuer {
  constructor(private readonly options: TokenIssuerOptions) {}

  async issue({ algorithm, ...request }: AccessTokenRequest): Promise<IssuedAccessToken> {
    const lifetimeSeconds = request.lifetimeSeconds ?? this.options.lifetimeSeconds;
    const claims = buildAccessTokenClaims({
      ...request,
      issuer: request.version === '1.0' ? this.options.v1Issuer : this.options.issuer,
      tenantId: this.options.tenantId,
      issuedAtSeconds: Math.floor(this.options.now() / 1000),
      lifetimeSeconds,
    });
    return { accessToken: await this.options.keys.sign(claims, algorithm), expiresIn: lifetimeSeconds };
  }
}
