/** client_credentials: the client acts for itself; A is the client's own assignment, its roles its own. */
import { singleValue } from '../http/form-params.ts';
import type { GrantHandler } from './grant.ts';
import { openIdScopes, scopeRequest } from './token-scope.ts';

export const clientCredentialsGrant: GrantHandler = async ({ client, body, tenantValues }) => {
  const request = scopeRequest(singleValue(body, 'scope'), client.scopes.filter((s) => !openIdScopes.includes(s)));
  return { grant: 'client_credentials', user: null, scopeRequest: request, requested: tenantValues };
};
