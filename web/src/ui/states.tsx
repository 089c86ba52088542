/** Loading, empty, error and "not in this tenant" states shared by every page. */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, describeError, StaleResponseError } from '../api/errors.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function NotInTenant({ what, tenantName, backTo, backLabel }: { what: string; tenantName: string; backTo: string; backLabel: string }) {
  return (
    <div className="state state-not-in-tenant" role="alert" data-testid="not-in-tenant">
      <h2>Not in this tenant</h2>
      <p>
        {what} does not exist in {tenantName}. It may belong to another tenant; switch tenant to see it there.
      </p>
      <TenantLink to={backTo} className="button">
        {backLabel}
      </TenantLink>
    </div>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/**
 * Renders a query's loading / error / empty state or its data. A stale answer (the tenant
 * changed meanwhile) renders as loading: the new tenant's query is on its way.
 */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  children,
  loadingLabel,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending || query.error instanceof StaleResponseError) return <Loading label={loadingLabel} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <Empty>{empty ?? 'Nothing here yet.'}</Empty>;
  return <>{children(data)}</>;
}
