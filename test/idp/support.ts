import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { expect } from 'vitest';
import type { DevIdentityProvider } from '../../src/idp/index.js';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function json(response: Response): Promise<JsonResponse> {
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<JsonResponse> {
  return json(await fetch(url));
}

/** POSTs a form to the token endpoint (or `url`), with optional extra headers. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return json(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

/** Verifies like a resource server would: remote JWKS, issuer, audience, RS256. */
export async function verifyWithJwks(
  idp: DevIdentityProvider,
  token: string,
  options: { audience: string; issuer?: string; jwksUri?: string; currentDate?: Date },
): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? idp.jwksUri));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: options.issuer ?? idp.issuer,
    audience: options.audience,
    algorithms: ['RS256'],
    ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
  });
  expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: idp.currentKid });
  return payload;
}

export function kidOf(token: string): string | undefined {
  return decodeProtectedHeader(token).kid;
}

/**
 * An Entra error body: the fixed members, with the AADSTS code first in the description and
 * the trace / correlation / timestamp lines after it.
 */
export function expectEntraError(
  response: JsonResponse,
  status: number,
  error: string,
  aadsts: number,
  descriptionPart?: string | RegExp,
): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = response.body;
  expect(body).toEqual({
    error,
    error_description: expect.stringMatching(
      new RegExp(`^AADSTS${aadsts}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`, 's'),
    ),
    error_codes: [aadsts],
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    trace_id: expect.stringMatching(GUID),
    correlation_id: expect.stringMatching(GUID),
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    ...('claims' in body ? { claims: body.claims } : {}),
    ...('suberror' in body ? { suberror: body.suberror } : {}),
  });
  if (descriptionPart !== undefined) {
    if (typeof descriptionPart === 'string') expect(body.error_description).toContain(descriptionPart);
    else expect(body.error_description).toMatch(descriptionPart);
  }
}

/** Asserts a text does not contain any of the given secrets or tokens. */
export function expectNoLeak(response: JsonResponse, ...secrets: string[]): void {
  const text = JSON.stringify(response.body);
  for (const secret of secrets) expect(text).not.toContain(secret);
}
