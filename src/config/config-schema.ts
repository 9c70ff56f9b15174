import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * The configuration file's schema (DESIGN.md "Configuration file"). Every object is strict:
 * an unknown key is an error, because a typo such as `audiance:` must not silently weaken
 * security. Defaults are written here once; `MeshgateConfig` is the normalized result.
 */

const duration = (fallback: string) =>
  z
    .union([z.number(), z.string()])
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration (use 60, "500ms", "60s", "5m" or "1h")` });
        return z.NEVER;
      }
      return ms;
    });

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const issuer = z.strictObject({
  issuer: z.string().min(1),
  jwksUri: httpUrl.optional(),
});

/** `private_key_jwt` client authentication: a signed client assertion (RFC 7523), as Entra recommends. */
const clientAssertion = z.strictObject({
  /** PKCS#8 PEM private key, usually `${MESHGATE_CLIENT_KEY}`. */
  privateKey: z.string().min(1),
  algorithm: z.enum(['RS256', 'PS256']).default('RS256'),
  /** `kid` header of the assertion. */
  keyId: z.string().min(1).optional(),
  /** `x5t` header: base64url SHA-1 thumbprint of the certificate registered in Entra. */
  thumbprint: z.string().min(1).optional(),
  /** `x5t#S256` header: base64url SHA-256 thumbprint of the certificate. */
  thumbprintSha256: z.string().min(1).optional(),
});

const exchangeFields = {
  grant: z.enum(['entra-obo', 'token-exchange']),
  tokenEndpoint: httpUrl,
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  clientAuth: z.enum(['client_secret_post', 'client_secret_basic', 'private_key_jwt']),
  clientAssertion,
  /** What to do for callers that are apps (no person to act for): use the gateway's own token, or refuse. */
  appCallers: z.enum(['client-credentials', 'deny']),
  /** RFC 8693 `resource` parameter, when the STS wants one. */
  resource: z.string().min(1),
};

const exchange = z.strictObject({
  grant: exchangeFields.grant.default('entra-obo'),
  tokenEndpoint: exchangeFields.tokenEndpoint,
  clientId: exchangeFields.clientId,
  clientSecret: exchangeFields.clientSecret.optional(),
  clientAuth: exchangeFields.clientAuth.default('client_secret_post'),
  clientAssertion: exchangeFields.clientAssertion.optional(),
  appCallers: exchangeFields.appCallers.default('client-credentials'),
  resource: exchangeFields.resource.optional(),
});

const exchangeOverride = z.strictObject({
  grant: exchangeFields.grant.optional(),
  tokenEndpoint: exchangeFields.tokenEndpoint.optional(),
  clientId: exchangeFields.clientId.optional(),
  clientSecret: exchangeFields.clientSecret.optional(),
  clientAuth: exchangeFields.clientAuth.optional(),
  clientAssertion: exchangeFields.clientAssertion.optional(),
  appCallers: exchangeFields.appCallers.optional(),
  resource: exchangeFields.resource.optional(),
});

const subgraphName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and "-", starting with a letter');

const subgraph = z.strictObject({
  name: subgraphName,
  url: httpUrl,
  audience: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  token: z.enum(['exchange', 'forward', 'none']).default('exchange'),
  exchange: exchangeOverride.optional(),
});

export const configSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4000),
      })
      .prefault({}),
    graphiql: z
      .union([
        z.boolean(),
        z.strictObject({
          /** Headers GraphiQL opens with (the demo fills in a bearer token here). */
          defaultHeaders: z.record(z.string(), z.string()).optional(),
          /** The operation GraphiQL opens with. */
          defaultQuery: z.string().optional(),
          title: z.string().optional(),
        }),
      ])
      .default(true),
    auth: z.strictObject({
      issuers: z.array(issuer).min(1, 'at least one issuer is required'),
      audiences: z.array(z.string().min(1)).min(1, 'at least one audience is required'),
      tenants: z.array(z.string().min(1)).optional(),
      clockSkew: duration('60s'),
      anonymous: z.boolean().default(false),
      /** Issuer signing keys (JWKS) cache. */
      keys: z
        .strictObject({
          /** Least time between two refreshes caused by unknown `kid`s. */
          cooldown: duration('30s'),
          /** Background refresh of every issuer's keys. */
          refreshInterval: duration('1h'),
          /** How long the last good keys keep serving when refreshes fail. */
          maxStale: duration('24h'),
        })
        .prefault({}),
    }),
    authorization: z
      .strictObject({
        /** filter: denied fields are null with an error; reject: 403 and nothing runs. */
        mode: z.enum(['filter', 'reject']).default('filter'),
        /** What introspection shows: only what the caller may query, everything, or nothing. */
        introspection: z.enum(['filtered', 'full', 'off']).default('filtered'),
        /** Gateway-side rules, "Type.field" or "Type" → OR of ANDs; they add to the subgraphs' rules. */
        rules: z.record(z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)?$/, 'must be "Type" or "Type.field"'), z.array(z.array(z.string().min(1)).min(1)).min(1)).default({}),
        /** `POST /explain`: the decision for an operation, without running it. */
        explain: z.boolean().default(true),
      })
      .prefault({}),
    exchange: exchange.optional(),
    subgraphs: z.array(subgraph).default([]),
    /** Subgraphs registered at run time by data-product owners (admin API), persisted here. */
    registry: z
      .strictObject({
        path: z.string().min(1).default('./data/registry.json'),
        /** Re-fetch every subgraph's SDL this often; 0 turns it off. */
        refreshInterval: duration('5m'),
        /** Previous versions kept in the store. */
        history: z.number().int().min(0).max(1000).default(20),
      })
      .optional(),
    admin: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** App roles that may change any subgraph; owners may change their own. */
        roles: z.array(z.string().min(1)).min(1).default(['Meshgate.Admin']),
      })
      .prefault({}),
    timeouts: z
      .strictObject({ exchange: duration('5s'), subgraph: duration('10s'), sdl: duration('10s') })
      .prefault({}),
    limits: z
      .strictObject({
        maxTokenBytes: z.number().int().min(512).max(1_048_576).default(16_384),
        maxBodyBytes: z.number().int().min(1024).max(104_857_600).default(1_048_576),
        maxDepth: z.number().int().min(1).max(1000).default(15),
        batch: z.boolean().default(false),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
    audit: z
      .strictObject({
        /** `stdout`, `off`, or a file path (JSON lines, appended). */
        sink: z.string().min(1).default('stdout'),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.subgraphs.length === 0 && !config.registry) {
      ctx.addIssue({ code: 'custom', path: ['subgraphs'], message: 'at least one subgraph is required (or a registry)' });
    }
    const exchanges = [
      { path: ['exchange'], value: config.exchange },
      ...config.subgraphs.map((s, i) => ({ path: ['subgraphs', i, 'exchange'], value: s.exchange })),
    ];
    for (const { path, value } of exchanges) {
      if (!value) continue;
      if (value.clientAuth === 'private_key_jwt' && !value.clientAssertion && !config.exchange?.clientAssertion) {
        ctx.addIssue({ code: 'custom', path: [...path, 'clientAssertion'], message: 'is required when clientAuth is "private_key_jwt"' });
      }
      if ((value.clientAuth ?? 'client_secret_post') !== 'private_key_jwt' && value === config.exchange && !value.clientSecret) {
        ctx.addIssue({ code: 'custom', path: [...path, 'clientSecret'], message: `is required when clientAuth is "${value.clientAuth ?? 'client_secret_post'}"` });
      }
    }
    const names = new Set<string>();
    config.subgraphs.forEach((s, i) => {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['subgraphs', i, 'name'], message: `duplicate subgraph name "${s.name}"` });
      names.add(s.name);
      if (s.token === 'exchange' && !s.audience) {
        ctx.addIssue({ code: 'custom', path: ['subgraphs', i, 'audience'], message: 'is required when token is "exchange"' });
      }
      if (s.token === 'exchange' && !config.exchange && !isCompleteExchange(s.exchange)) {
        ctx.addIssue({
          code: 'custom',
          path: ['subgraphs', i, 'exchange'],
          message: 'token "exchange" needs a top-level exchange block or a complete per-subgraph one (tokenEndpoint, clientId, clientSecret)',
        });
      }
    });
    const templated = config.auth.issuers.some((i) => i.issuer.includes('{tenantid}'));
    if (templated && !config.auth.tenants?.length) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'tenants'], message: 'is required when an issuer contains {tenantid}' });
    }
    // `tid` is always a GUID: a domain name here would silently match no token.
    config.auth.tenants?.forEach((t, n) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t)) {
        ctx.addIssue({ code: 'custom', path: ['auth', 'tenants', n], message: 'must be a tenant id (a GUID), not a domain name' });
      }
    });
    if (config.auth.keys.maxStale < config.auth.keys.refreshInterval) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'keys', 'maxStale'], message: 'must be at least auth.keys.refreshInterval' });
    }
    config.auth.issuers.forEach((i, n) => {
      if (i.issuer.includes('{tenantid}') && !i.jwksUri) {
        ctx.addIssue({ code: 'custom', path: ['auth', 'issuers', n, 'jwksUri'], message: 'is required for an issuer with {tenantid}' });
      }
    });
  });

function isCompleteExchange(value: z.infer<typeof exchangeOverride> | undefined): boolean {
  return Boolean(value?.tokenEndpoint && value.clientId && (value.clientSecret || value.clientAssertion));
}

/** The configuration as parsed from the file (durations in milliseconds). */
export type MeshgateConfig = z.infer<typeof configSchema>;
/** The configuration before defaults: what a file or a caller of `createGateway` writes. */
export type MeshgateConfigInput = z.input<typeof configSchema>;
export type SubgraphConfig = MeshgateConfig['subgraphs'][number];
export type ExchangeConfig = NonNullable<MeshgateConfig['exchange']>;
