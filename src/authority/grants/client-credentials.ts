/** client_credentials: the client acts for itself; A is the client's own assignment. */
import { singleValue } from '../http/form-params.ts';
import type { GrantHandler } from './grant.ts';
import { tokenScopes } from './token-scope.ts';
import { openIdScopes } from './token-scope.ts';

export const clientCredentialsGrant: GrantHandler = async ({ client, body, tenantValues }) => {
  const scopes = tokenScopes(singleValue(body, 'scope'), client.scopes, null).filter((s) => !openIdScopes.includes(s));
  return { grant: 'client_credentials', user: null, scopes, requested: tenantValues };
};
