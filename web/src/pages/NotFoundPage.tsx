import { TenantLink } from '../tenant/TenantLink.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no console page at this address. <TenantLink to="/">Back to the overview</TenantLink>
      </p>
    </>
  );
}
