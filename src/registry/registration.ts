import { z } from 'zod';
import type { ExchangeConfig, SubgraphConfig } from '../config/config-schema.js';
import { RegistryError } from './registry-error.js';

/**
 * What a data-product owner sends to register a subgraph. Strict: an unknown field is refused,
 * because a typo (`audiance`) must not silently register something else than was meant.
 *
 * A registration may not carry token endpoints, client ids or secrets: those stay in the config
 * file, so that registering a subgraph can never redirect the gateway's credentials or a
 * caller's token anywhere else than to the registered subgraph.
 */
export const SUBGRAPH_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const registrationShape = {
  name: z.string().regex(SUBGRAPH_NAME, 'must be lowercase letters, digits and "-", starting with a letter (at most 63)'),
  url: z
    .string()
    .max(2048, 'must be at most 2048 characters')
    .superRefine((value, ctx) => {
      const problem = urlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** The subgraph's own audience: the gateway exchanges callers' tokens for tokens of it. */
  audience: z.string().min(1).max(256).regex(/^\S+$/, 'must not contain spaces').optional(),
  token: z.enum(['exchange', 'forward', 'none']).default('exchange'),
  scope: z.string().min(1).max(512).optional(),
  exchange: z
    .strictObject({
      grant: z.enum(['entra-obo', 'token-exchange']).optional(),
      appCallers: z.enum(['client-credentials', 'deny']).optional(),
    })
    .optional(),
  /** The app (client id) or group (object id) that may change this registration besides admins. */
  owner: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@-]+$/, 'must be an app client id or a group object id').optional(),
};

export const registrationSchema = z.strictObject(registrationShape);

/** A validated registration (defaults applied). */
export type Registration = z.infer<typeof registrationSchema>;

/** The registration body of `PUT /admin/subgraphs/{name}`, where `name` may be left out. */
const putBodySchema = registrationSchema.extend({ name: registrationShape.name.optional() });

/**
 * Parses a registration body. `pathName` is the name in the URL (PUT); without it the body must
 * name the subgraph (`POST /admin/check`). Throws `RegistryError` (400) naming the field.
 */
export function parseRegistration(body: unknown, pathName?: string): Registration {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RegistryError('BAD_REQUEST', 'the body must be a JSON object: { name, url, audience, token?, scope?, exchange?, owner? }');
  }
  const result = (pathName === undefined ? registrationSchema : putBodySchema).safeParse(body);
  if (!result.success) {
    const reasons = result.error.issues.map(describeIssue);
    throw new RegistryError('BAD_REQUEST', reasons[0] ?? 'invalid registration', { reasons });
  }
  const data = result.data;
  if (pathName !== undefined && data.name !== undefined && data.name !== pathName) {
    throw new RegistryError('BAD_REQUEST', `name: "${data.name}" does not match the subgraph in the URL ("${pathName}")`);
  }
  const registration: Registration = { ...data, name: data.name ?? (pathName as string) };
  if (registration.token === 'exchange' && !registration.audience) {
    throw new RegistryError('BAD_REQUEST', 'audience: is required when token is "exchange" (the subgraph accepts only tokens of its own audience)');
  }
  if (registration.scope !== undefined) {
    const foreign = registration.scope.split(/\s+/).filter((s) => s && !scopeBelongsTo(s, registration.audience));
    if (foreign.length > 0) {
      throw new RegistryError('BAD_REQUEST', `scope: "${foreign[0]}" is not a permission of the audience; use a bare name or "${registration.audience ?? '<audience>'}/<name>"`);
    }
  }
  return registration;
}

/** What the gateway needs to know to judge a registration beyond its shape. */
export interface RegistrationContext {
  /** `auth.audiences`: the gateway's own audiences, which no subgraph may claim. */
  readonly gatewayAudiences: readonly string[];
  /** The top-level `exchange` block of the config. */
  readonly exchange: ExchangeConfig | undefined;
}

/**
 * Checks a registration against the gateway's configuration: a subgraph with the gateway's own
 * audience would receive tokens that open the gateway itself; `token: exchange` needs the
 * config's exchange block, since registrations never carry credentials.
 */
export function checkRegistration(registration: Registration, context: RegistrationContext): void {
  if (registration.audience !== undefined) {
    const own = new Set([...context.gatewayAudiences, ...(context.exchange ? [context.exchange.clientId] : [])].flatMap(audienceForms));
    if (audienceForms(registration.audience).some((form) => own.has(form))) {
      throw new RegistryError('REGISTRATION_REFUSED', `audience: "${registration.audience}" is the gateway's own audience; a subgraph must have an audience of its own`);
    }
  }
  if (registration.token === 'exchange' && !context.exchange) {
    throw new RegistryError('REGISTRATION_REFUSED', 'token: "exchange" needs the top-level exchange block in the gateway config (registrations cannot carry credentials)');
  }
}

/** The registration as a subgraph of the config, for `subgraphTokenPolicy`. */
export function toSubgraphConfig(registration: Registration): SubgraphConfig {
  return {
    name: registration.name,
    url: registration.url,
    audience: registration.audience,
    scope: registration.scope,
    token: registration.token,
    exchange: registration.exchange,
  };
}

/**
 * The forms an audience can take that Entra resolves to the same resource (client id,
 * Application ID URI, `api://<client id>`), for comparing two audiences.
 */
export function audienceForms(value: string): string[] {
  const trimmed = value.replace(/\/+$/, '').toLowerCase();
  return [...new Set([trimmed, trimmed.replace(/^api:\/\//, '')])];
}

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  // Credentials in a URL end up in logs and in the store.
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  if (url.hash) return 'must not contain a fragment';
  return undefined;
}

function scopeBelongsTo(scope: string, audience: string | undefined): boolean {
  if (!scope.includes('/') && !scope.includes(':')) return true;
  return audience !== undefined && scope.startsWith(`${audience.replace(/\/+$/, '')}/`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  const where = path ? `${path}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    if (path === 'exchange') {
      return `exchange: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}; a registration may set only grant and appCallers (endpoints and credentials belong in the config file)`;
    }
    return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where}is required`;
  return `${where}${issue.message}`;
}
