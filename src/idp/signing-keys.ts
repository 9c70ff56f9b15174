import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';

/** One key of a JWKS as Entra publishes it: no `alg` member (clients must not rely on one). */
export interface PublishedJwk {
  kty: string;
  use: 'sig';
  kid: string;
  n: string;
  e: string;
  /** Present in Entra's v2 key documents only. */
  issuer?: string;
}

/** Algorithms the provider can sign access tokens with; Entra uses RS256 only. */
export type SigningAlgorithm = 'RS256' | 'PS256';

export interface JsonWebKeySet {
  keys: PublishedJwk[];
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly n: string;
  readonly e: string;
}

async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  if (jwk.n === undefined || jwk.e === undefined) throw new Error('RSA public key export lacks n or e');
  // The thumbprint is stable for the key and unique in practice, like Entra's x5t-based kids.
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e });
  return { kid, privateKey, publicKey, n: jwk.n, e: jwk.e };
}

/**
 * The provider's RSA signing keys: one current key that signs, plus the keys that stay
 * published after a rotation so that tokens they signed still verify (as Entra keeps keys
 * published for a while after it stops signing with them).
 */
export class SigningKeySet {
  private published: SigningKey[];

  private constructor(current: SigningKey) {
    this.published = [current];
  }

  static async create(): Promise<SigningKeySet> {
    return new SigningKeySet(await generateSigningKey());
  }

  get currentKid(): string {
    return this.current.kid;
  }

  private get current(): SigningKey {
    return this.published[0]!;
  }

  /**
   * Makes a new key current. With `keepPrevious`, the keys published so far stay published
   * (verification only); without, they are dropped and their tokens stop verifying.
   */
  async rotate(keepPrevious: boolean): Promise<string> {
    const next = await generateSigningKey();
    this.published = keepPrevious ? [next, ...this.published] : [next];
    return next.kid;
  }

  /**
   * The JWKS document; `issuer` is added to each key for the v2 document, as Entra does (the
   * multi-tenant `common` document carries the `{tenantid}` template there).
   */
  jwks(issuer?: string): JsonWebKeySet {
    return {
      keys: this.published.map((key) => ({
        kty: 'RSA',
        use: 'sig',
        kid: key.kid,
        n: key.n,
        e: key.e,
        ...(issuer === undefined ? {} : { issuer }),
      })),
    };
  }

  /** The public key published under `kid`, for verifying tokens this provider issued. */
  verificationKey(kid: string | undefined): CryptoKey | undefined {
    return this.published.find((key) => key.kid === kid)?.publicKey;
  }

  /**
   * Signs `payload` with the current key, with Entra's header `{ alg: 'RS256', typ: 'JWT', kid }`.
   * `PS256` signs with the same RSA key under another algorithm: Entra never does this, and a
   * resource that pins RS256 must refuse such a token (tests craft it this way).
   */
  async sign(payload: JWTPayload, algorithm: SigningAlgorithm = 'RS256'): Promise<string> {
    const key = this.current;
    // WebCrypto binds a key to one algorithm: re-import the same private key for RSA-PSS.
    const privateKey = algorithm === 'RS256' ? key.privateKey : await importJWK(await exportJWK(key.privateKey), algorithm);
    return new SignJWT(payload).setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: key.kid }).sign(privateKey);
  }
}
