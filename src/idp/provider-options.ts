import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from './demo-directory.js';
import type { DevApp, DevUser } from './demo-directory.js';
import { isGuid } from './identifiers.js';
import { positiveSeconds } from './mint.js';
import { DevIdentityProviderOptionError } from './option-error.js';

export interface DevIdentityProviderOptions {
  /**
   * Interface to listen on. Default `'127.0.0.1'`. Keep it on loopback: `/_dev/token` mints a
   * token for anyone who can reach it.
   */
  host?: string;
  /** Default `0`: the OS chooses a free port; read it from `url`. */
  port?: number;
  /** Default `DEMO_TENANT_ID`. */
  tenantId?: string;
  /** App registrations. Default `Object.values(DEMO_APPS)`. */
  apps?: readonly DevApp[];
  /** People. Default `Object.values(DEMO_USERS)`. */
  users?: readonly DevUser[];
  /** Clock in milliseconds, for token times and assertion expiry. Default `Date.now`. */
  now?: () => number;
  /** Lifetime of issued tokens. Default 3600. */
  tokenLifetimeSeconds?: number;
}

export interface NormalizedDevIdentityProviderOptions {
  readonly host: string;
  readonly port: number;
  readonly tenantId: string;
  readonly apps: readonly DevApp[];
  readonly users: readonly DevUser[];
  readonly now: () => number;
  readonly tokenLifetimeSeconds: number;
}

const OPTION_NAMES = new Set(['host', 'port', 'tenantId', 'apps', 'users', 'now', 'tokenLifetimeSeconds']);

/** Applies defaults and refuses bad options with an error naming the option. */
export function normalizeDevIdentityProviderOptions(options: DevIdentityProviderOptions): NormalizedDevIdentityProviderOptions {
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new DevIdentityProviderOptionError(name, 'unknown option');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new DevIdentityProviderOptionError('host', 'must be a non-empty string');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new DevIdentityProviderOptionError('port', 'must be an integer from 0 to 65535');
  }
  const tenantId = options.tenantId ?? DEMO_TENANT_ID;
  if (typeof tenantId !== 'string' || !isGuid(tenantId)) throw new DevIdentityProviderOptionError('tenantId', 'must be a GUID');
  const apps = options.apps ?? Object.values(DEMO_APPS);
  if (!Array.isArray(apps)) throw new DevIdentityProviderOptionError('apps', 'must be an array of DevApp');
  const users = options.users ?? Object.values(DEMO_USERS);
  if (!Array.isArray(users)) throw new DevIdentityProviderOptionError('users', 'must be an array of DevUser');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new DevIdentityProviderOptionError('now', 'must be a function returning milliseconds');
  const tokenLifetimeSeconds =
    options.tokenLifetimeSeconds === undefined ? 3600 : positiveSeconds(options.tokenLifetimeSeconds, 'tokenLifetimeSeconds');
  // Entra's tenant ids are lower-case in issuers and `tid`; so are ours, whatever was passed.
  return { host, port, tenantId: tenantId.toLowerCase(), apps, users, now, tokenLifetimeSeconds };
}
