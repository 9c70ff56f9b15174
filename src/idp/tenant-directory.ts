import type { DevApp, DevUser } from './demo-directory.js';
import { DevIdentityProviderOptionError } from './option-error.js';

/**
 * Look-ups over the configured apps and users, checked once when the provider starts: two apps
 * with the same client id or Application ID URI would make a token's audience ambiguous.
 */
export class TenantDirectory {
  readonly apps: readonly DevApp[];
  readonly users: readonly DevUser[];
  private readonly byClientId = new Map<string, DevApp>();
  private readonly byAppIdUri = new Map<string, DevApp>();
  private readonly usersByKey = new Map<string, DevUser>();

  constructor(apps: readonly DevApp[], users: readonly DevUser[]) {
    this.apps = apps;
    this.users = users;
    apps.forEach((app, index) => {
      if (typeof app.clientId !== 'string' || app.clientId === '') {
        throw new DevIdentityProviderOptionError(`apps[${index}].clientId`, 'must be a non-empty string');
      }
      const clientId = app.clientId.toLowerCase();
      if (this.byClientId.has(clientId)) {
        throw new DevIdentityProviderOptionError(`apps[${index}].clientId`, `'${app.clientId}' is used by two apps`);
      }
      this.byClientId.set(clientId, app);
      if (app.appIdUri !== undefined) {
        if (this.byAppIdUri.has(app.appIdUri)) {
          throw new DevIdentityProviderOptionError(`apps[${index}].appIdUri`, `'${app.appIdUri}' is used by two apps`);
        }
        this.byAppIdUri.set(app.appIdUri, app);
      }
    });
    users.forEach((user, index) => {
      for (const key of [user.oid.toLowerCase(), user.preferredUsername.toLowerCase()]) {
        if (this.usersByKey.has(key)) {
          throw new DevIdentityProviderOptionError(`users[${index}]`, `'${key}' is used by two users`);
        }
        this.usersByKey.set(key, user);
      }
    });
  }

  /** The app registration whose client id is `clientId` (GUIDs compare case-insensitively). */
  client(clientId: string): DevApp | undefined {
    return this.byClientId.get(clientId.toLowerCase());
  }

  /**
   * The resource an identifier names, as Entra resolves it: its client id, its Application ID
   * URI, or `api://<client id>`.
   */
  resource(identifier: string): DevApp | undefined {
    const trimmed = identifier.replace(/\/+$/, '');
    return (
      this.byAppIdUri.get(trimmed) ??
      this.byClientId.get(trimmed.toLowerCase()) ??
      (trimmed.startsWith('api://') ? this.byClientId.get(trimmed.slice('api://'.length).toLowerCase()) : undefined)
    );
  }

  /** A person by object id or `preferredUsername` (case-insensitive). */
  user(reference: string): DevUser | undefined {
    return this.usersByKey.get(reference.toLowerCase());
  }
}
