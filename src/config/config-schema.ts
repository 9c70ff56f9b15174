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

const exchangeFields = {
  grant: z.enum(['entra-obo', 'token-exchange']),
  tokenEndpoint: httpUrl,
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  clientAuth: z.enum(['client_secret_post', 'client_secret_basic']),
  /** What to do for callers that are apps (no person to act for): use the gateway's own token, or refuse. */
  appCallers: z.enum(['client-credentials', 'deny']),
  /** RFC 8693 `resource` parameter, when the STS wants one. */
  resource: z.string().min(1),
};

const exchange = z.strictObject({
  grant: exchangeFields.grant.default('entra-obo'),
  tokenEndpoint: exchangeFields.tokenEndpoint,
  clientId: exchangeFields.clientId,
  clientSecret: exchangeFields.clientSecret,
  clientAuth: exchangeFields.clientAuth.default('client_secret_post'),
  appCallers: exchangeFields.appCallers.default('client-credentials'),
  resource: exchangeFields.resource.optional(),
});

const exchangeOverride = z.strictObject({
  grant: exchangeFields.grant.optional(),
  tokenEndpoint: exchangeFields.tokenEndpoint.optional(),
  clientId: exchangeFields.clientId.optional(),
  clientSecret: exchangeFields.clientSecret.optional(),
  clientAuth: exchangeFields.clientAuth.optional(),
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
    }),
    exchange: exchange.optional(),
    subgraphs: z.array(subgraph).min(1, 'at least one subgraph is required'),
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
    config.auth.issuers.forEach((i, n) => {
      if (i.issuer.includes('{tenantid}') && !i.jwksUri) {
        ctx.addIssue({ code: 'custom', path: ['auth', 'issuers', n, 'jwksUri'], message: 'is required for an issuer with {tenantid}' });
      }
    });
  });

function isCompleteExchange(value: z.infer<typeof exchangeOverride> | undefined): boolean {
  return Boolean(value?.tokenEndpoint && value.clientId && value.clientSecret);
}

/** The configuration as parsed from the file (durations in milliseconds). */
export type MeshgateConfig = z.infer<typeof configSchema>;
/** The configuration before defaults: what a file or a caller of `createGateway` writes. */
export type MeshgateConfigInput = z.input<typeof configSchema>;
export type SubgraphConfig = MeshgateConfig['subgraphs'][number];
export type ExchangeConfig = NonNullable<MeshgateConfig['exchange']>;
