export { tenantContextPlugin, tenantMissing, type RequestIdentity, type TenantContextMode, type TenantContextOptions } from './plugin.ts';
export { resolveTenantFromHeaders, type TenantResolution } from './resolve-tenant.ts';
export { authenticateRequest, isLoopback } from './authenticate-request.ts';
