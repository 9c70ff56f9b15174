/**
 * A bad option given to the dev identity provider (`startDevIdentityProvider`, `mint`, or the
 * `/_dev/token` route): the message names the option and says what is wrong with it.
 *
 * @example
 * await idp.mint({ user: 'nobody@meshgate.dev' });
 * // DevIdentityProviderOptionError: user: no user with oid or preferredUsername 'nobody@meshgate.dev'
 */
export class DevIdentityProviderOptionError extends TypeError {
  override readonly name = 'DevIdentityProviderOptionError';
  readonly code = 'ERR_DEV_IDP_OPTION';

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}
