import { describe, expect, it } from 'vitest';
import { DEMO_APPS, DevIdentityProviderOptionError, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevIdentityProviderOptions } from '../../src/idp/index.js';

describe('startDevIdentityProvider options', () => {
  const refuses = (options: DevIdentityProviderOptions, message: string) =>
    expect(startDevIdentityProvider(options)).rejects.toThrow(message);

  it('names the bad option', async () => {
    await refuses({ port: 70_000 }, 'port: must be an integer from 0 to 65535');
    await refuses({ tenantId: 'contoso' }, 'tenantId: must be a GUID');
    await refuses({ tokenLifetimeSeconds: 1.5 }, 'tokenLifetimeSeconds: must be a whole number of seconds from 1 to 86400');
    await refuses({ apps: [DEMO_APPS.gateway, { ...DEMO_APPS.agent, clientId: DEMO_APPS.gateway.clientId }] }, `apps[1].clientId: '${DEMO_APPS.gateway.clientId}' is used by two apps`);
    await refuses({ apps: [DEMO_APPS.orders, { ...DEMO_APPS.customers, appIdUri: 'api://orders' }] }, "apps[1].appIdUri: 'api://orders' is used by two apps");
    await refuses({ prot: 4000 } as DevIdentityProviderOptions, 'prot: unknown option');
  });

  it('throws a DevIdentityProviderOptionError with the option name', async () => {
    const error = await startDevIdentityProvider({ host: '' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DevIdentityProviderOptionError);
    expect(error).toMatchObject({ option: 'host', code: 'ERR_DEV_IDP_OPTION', message: 'host: must be a non-empty string' });
  });

  it('uses another tenant when told, and closes promptly with open keep-alive connections', async () => {
    const tenantId = '11111111-2222-4333-8444-555555555555';
    const idp = await startDevIdentityProvider({ tenantId });
    expect(idp.issuer).toBe(`${idp.url}/${tenantId}/v2.0`);
    expect((await fetch(idp.discoveryUrl)).status).toBe(200); // leaves a keep-alive socket open
    await idp.close();
    await idp.close(); // idempotent
    await expect(fetch(idp.discoveryUrl)).rejects.toThrow();
  });
});
