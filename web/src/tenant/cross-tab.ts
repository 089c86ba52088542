/**
 * Cross-tab tenant sync over BroadcastChannel. Policy: FOLLOW — when another tab of the same
 * origin commits a tenant switch, every other signed-in tab switches too (each with its own
 * refresh grant; tokens are never shared between tabs), so two tabs never show different
 * tenants to the same person by surprise.
 */
const CHANNEL = 'tenantgate.console.tenant';

export interface TenantAnnouncement {
  type: 'tenant-committed';
  tenant: string;
  tabId: string;
}

export interface CrossTabChannel {
  announce(tenant: string): void;
  close(): void;
}

export function openCrossTabChannel(tabId: string, onTenant: (tenant: string) => void): CrossTabChannel {
  if (typeof BroadcastChannel === 'undefined') return { announce: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const message = event.data as Partial<TenantAnnouncement> | null;
    if (message?.type === 'tenant-committed' && typeof message.tenant === 'string' && message.tabId !== tabId) onTenant(message.tenant);
  };
  return {
    announce: (tenant) => channel.postMessage({ type: 'tenant-committed', tenant, tabId } satisfies TenantAnnouncement),
    close: () => channel.close(),
  };
}
