/** Client authentication at the token, introspection and revocation endpoints. */
import type { FastifyRequest } from 'fastify';
import { clientSecretMatches } from '../secrets/client-secret.ts';
import type { ClientRecord } from '../store/clients.ts';
import type { AuthorityServices } from '../services.ts';
import { singleValue, type FormBody } from './form-params.ts';
import { OAuthError } from './oauth-error.ts';

export interface PresentedClient {
  clientId: string;
  secret: string | null;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

/** The client id a request claims, before any secret is checked (rate-limit key). */
export function claimedClientId(req: FastifyRequest): string | null {
  try {
    return presentedClient(req.headers.authorization, (req.body ?? {}) as FormBody).clientId;
  } catch {
    return null;
  }
}

export function presentedClient(authorization: string | undefined, body: FormBody): PresentedClient {
  const bodyId = singleValue(body, 'client_id');
  const bodySecret = singleValue(body, 'client_secret');
  if (authorization && /^basic /i.test(authorization)) {
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'use one client authentication method, not two');
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'malformed basic credentials');
    let clientId: string;
    let secret: string;
    try {
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw new OAuthError('invalid_client', 'malformed basic credentials');
    }
    if (bodyId !== undefined && bodyId !== clientId) throw new OAuthError('invalid_request', 'client_id differs from the authenticated client');
    return { clientId, secret, method: 'client_secret_basic' };
  }
  if (bodyId === undefined) throw new OAuthError('invalid_client', 'client authentication is required');
  return { clientId: bodyId, secret: bodySecret ?? null, method: bodySecret === undefined ? 'none' : 'client_secret_post' };
}

/** What an authentication attempt learned, for metric labels (registered client ids only). */
export interface ClientLookup {
  registered: string | null;
}

export async function authenticateClient(services: AuthorityServices, presented: PresentedClient, lookup?: ClientLookup): Promise<ClientRecord> {
  const client = await services.clients.get(presented.clientId);
  if (!client) throw new OAuthError('invalid_client', 'client authentication failed');
  if (lookup) lookup.registered = client.clientId;
  if (client.public) {
    if (presented.secret !== null) throw new OAuthError('invalid_client', 'client authentication failed');
    return enabledClient(client);
  }
  if (presented.secret === null || !clientSecretMatches(presented.secret, client.secretDigest)) {
    throw new OAuthError('invalid_client', 'client authentication failed');
  }
  return enabledClient(client);
}

/** A disabled client authenticates no more: said only once its credentials are proven (a public client has none). */
function enabledClient(client: ClientRecord): ClientRecord {
  if (client.disabled) throw new OAuthError('invalid_client', 'the client is disabled');
  return client;
}
