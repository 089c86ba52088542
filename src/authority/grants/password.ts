/** password (resource owner credentials): a user grant authenticated by username and password. */
import { requiredValue, singleValue } from '../http/form-params.ts';
import { OAuthError } from '../http/oauth-error.ts';
import { verifyAgainstDecoy, verifyPassword } from '../secrets/password.ts';
import { findUserByName } from '../store/users.ts';
import type { GrantHandler } from './grant.ts';
import { scopeRequest } from './token-scope.ts';

export const passwordGrant: GrantHandler = async ({ services, client, body, tenantValues }) => {
  const username = requiredValue(body, 'username');
  const password = requiredValue(body, 'password');
  const user = await findUserByName(services.ctx.db, username);
  const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  // A disabled user is answered like a wrong password, so the answer tells nothing about the account.
  if (!user || !valid || user.disabled) throw new OAuthError('invalid_grant', 'the username or password is wrong, or the account is disabled');
  return { grant: 'password', user, scopeRequest: scopeRequest(singleValue(body, 'scope'), client.scopes), requested: tenantValues };
};
