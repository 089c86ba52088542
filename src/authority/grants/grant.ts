/** The shape every grant handler returns to the issuer: who, which scopes, which tenant values. */
import type { SelectionHow } from '../../contract/selection.ts';
import type { FormBody } from '../http/form-params.ts';
import type { AuthorityServices } from '../services.ts';
import type { ClientRecord, GrantType } from '../store/clients.ts';
import type { UserRecord } from '../store/users.ts';
import type { AuthorizationCodeRecord } from '../tokens/authorization-codes.ts';
import type { RefreshTokenRecord } from '../tokens/refresh-tokens.ts';
import type { ScopeRequest } from './token-scope.ts';

export interface GrantRequest {
  services: AuthorityServices;
  client: ClientRecord;
  body: FormBody;
  /** Every value of the tenant parameter the request carried. */
  tenantValues: string[];
}

export interface GrantResult {
  grant: GrantType;
  user: UserRecord | null;
  /** The scopes asked for, within the client's; the issuer narrows them to the roles in the selected tenant. */
  scopeRequest: ScopeRequest;
  /** The tenant values the selection rule sees. */
  requested: string[];
  /** A refresh without `tenant` keeps its tenant; the audit then reports the original *how*. */
  carriedHow?: SelectionHow;
  /** The refresh token being spent (refresh grant). */
  spending?: RefreshTokenRecord;
  /** The code being redeemed (authorization-code grant). */
  code?: AuthorizationCodeRecord;
}

export type GrantHandler = (request: GrantRequest) => Promise<GrantResult>;
