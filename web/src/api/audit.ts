/** The Authority's audit log (GET /admin/audit), newest first, keyset-paginated. */

export interface AuditEvent {
  id: string;
  time: string;
  type: string;
  outcome: string;
  actor: string | null;
  /** The actor's username or client name, when it is a known user or client. */
  actorName?: string | null;
  client: string | null;
  clientName?: string | null;
  tenant: string | null;
  properties: Record<string, unknown>;
}

export interface AuditFilter {
  type: string;
  client: string;
  tenant: string;
  from: string;
  to: string;
}

/** `from`/`to` are dates (YYYY-MM-DD) in the form; the API takes instants. */
export function auditPath(filter: AuditFilter, cursor: string | null): string {
  const params = new URLSearchParams();
  if (filter.type) params.set('type', filter.type);
  if (filter.client) params.set('client', filter.client);
  if (filter.tenant) params.set('tenant', filter.tenant);
  if (filter.from) params.set('from', `${filter.from}T00:00:00Z`);
  if (filter.to) params.set('to', nextDay(filter.to));
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return `/admin/audit${query ? `?${query}` : ''}`;
}

/** `to` is inclusive in the form (whole day), exclusive in the API. */
function nextDay(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  parsed.setUTCDate(parsed.getUTCDate() + 1);
  return parsed.toISOString();
}
