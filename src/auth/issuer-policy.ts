import type { JWTPayload } from 'jose';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_SEGMENT = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=\/|$)/i;

/** Reason given when `iss` / `tid` do not fit a configured issuer. */
export const UNTRUSTED_ISSUER = 'untrusted issuer or tenant';

/** Whether `value` is a tenant id as Entra writes it in `tid` (a GUID). */
export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/**
 * What one configured issuer accepts of a token whose signature it has verified: Microsoft's
 * "Claims validation" rules for `iss`, `tid` and `ver`, and for the issuer of the signing key.
 *
 * - `tid` is a GUID; when `auth.tenants` is set it must be listed.
 * - `iss` equals the issuer, or, for a `{tenantid}` template, the template with the token's `tid`.
 * - An issuer that names a tenant (`https://login.microsoftonline.com/<tid>/v2.0`) accepts only
 *   tokens whose `tid` is that tenant.
 * - A signing key whose JWKS entry names an issuer (Entra's v2 key documents do, with
 *   `{tenantid}` in the multi-tenant one) signs only tokens of that issuer.
 * - `ver` matches the issuer's form: `.../v2.0` issuers issue `"2.0"` tokens, the others
 *   (`https://sts.windows.net/<tid>/`) `"1.0"` tokens. Entra never issues anything else.
 *
 * @example
 * const policy = new IssuerPolicy('https://login.microsoftonline.com/{tenantid}/v2.0', new Set([tid]));
 * policy.reject(claims, key.issuer); // undefined, or a short fixed reason
 */
export class IssuerPolicy {
  readonly issuer: string;
  readonly #templated: boolean;
  readonly #tenant: string | undefined;
  readonly #version: '1.0' | '2.0';
  readonly #tenants: ReadonlySet<string> | undefined;

  /** `tenants` in lower case. */
  constructor(issuer: string, tenants: ReadonlySet<string> | undefined) {
    this.issuer = issuer;
    this.#templated = issuer.includes('{tenantid}');
    this.#tenant = this.#templated ? undefined : GUID_SEGMENT.exec(pathOf(issuer))?.[1]?.toLowerCase();
    this.#version = /\/v2\.0\/?$/.test(issuer) ? '2.0' : '1.0';
    this.#tenants = tenants;
  }

  /** Undefined when the verified claims fit this issuer; otherwise a short fixed reason (never a claim value). */
  reject(claims: JWTPayload, keyIssuer: string | undefined): string | undefined {
    const tid = claims['tid'];
    if (!isTenantId(tid)) return UNTRUSTED_ISSUER;
    const tenant = tid.toLowerCase();
    if (this.#tenants && !this.#tenants.has(tenant)) return UNTRUSTED_ISSUER;
    if (this.#tenant !== undefined && tenant !== this.#tenant) return UNTRUSTED_ISSUER;
    const expected = this.#templated ? this.issuer.replaceAll('{tenantid}', tid) : this.issuer;
    if (claims.iss !== expected) return UNTRUSTED_ISSUER;
    if (keyIssuer !== undefined && keyIssuer.replaceAll('{tenantid}', tid) !== claims.iss) return 'signing key not valid for this issuer';
    if (claims['ver'] !== this.#version) return 'token version does not match issuer';
    return undefined;
  }
}

function pathOf(issuer: string): string {
  try {
    return new URL(issuer).pathname;
  } catch {
    return '';
  }
}
