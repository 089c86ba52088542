/**
 * The one error table of CONTRACT.md §6 (plus the few generic codes every HTTP service
 * needs). Every problem+json response and every OAuth error code comes from here.
 */
export const errorTable = {
  unauthorized: { status: 401, title: 'Unauthorized' },
  tenant_missing: { status: 403, title: 'Tenant missing' },
  tenant_invalid: { status: 400, title: 'Tenant invalid' },
  tenant_conflict: { status: 400, title: 'Tenant conflict' },
  tenant_mismatch: { status: 403, title: 'Tenant mismatch' },
  tenant_forbidden: { status: 403, title: 'Tenant forbidden' },
  legacy_tenant_header_rejected: { status: 400, title: 'Legacy tenant header rejected' },
  legacy_window_closed: { status: 400, title: 'Legacy tenant header window closed' },
  ERR_SCOPE_HEADER_FORBIDDEN: { status: 403, title: 'Scope header forbidden' },
  hop_by_hop_identity_header: { status: 400, title: 'Hop-by-hop identity header' },
  insufficient_scope: { status: 403, title: 'Insufficient scope' },
  GRAPH_VALIDATION_FAILED: { status: 400, title: 'Graph validation failed' },
  not_found: { status: 404, title: 'Not found' },
  // Identity assertion rejections (CONTRACT.md §8), answered by every service behind the gateway.
  identity_assertion_missing: { status: 401, title: 'Identity assertion missing' },
  identity_assertion_malformed: { status: 401, title: 'Identity assertion malformed' },
  identity_algorithm_rejected: { status: 401, title: 'Identity assertion algorithm rejected' },
  identity_type_invalid: { status: 401, title: 'Identity assertion type invalid' },
  identity_key_unknown: { status: 401, title: 'Identity assertion key unknown' },
  identity_signature_invalid: { status: 401, title: 'Identity assertion signature invalid' },
  identity_issuer_mismatch: { status: 401, title: 'Identity assertion issuer mismatch' },
  identity_audience_mismatch: { status: 401, title: 'Identity assertion audience mismatch' },
  identity_assertion_expired: { status: 401, title: 'Identity assertion expired' },
  identity_method_mismatch: { status: 401, title: 'Identity assertion method mismatch' },
  identity_target_mismatch: { status: 401, title: 'Identity assertion target mismatch' },
  identity_tenant_invalid: { status: 401, title: 'Identity assertion tenant invalid' },
  identity_tenant_mismatch: { status: 401, title: 'Identity assertion tenant mismatch' },
  // Legacy-use reports of declared services (GATEWAY.md §5), answered by the gateway.
  legacy_report_service_unknown: { status: 400, title: 'Legacy-use report for an unknown service' },
  legacy_report_client_mismatch: { status: 403, title: 'Legacy-use report from a client not bound to the service' },
  // Issuance rejections (CONTRACT.md §3), answered as OAuth errors by the Authority.
  duplicate_parameter: { status: 400, title: 'Duplicate parameter' },
  tenant_not_assigned: { status: 400, title: 'Tenant not assigned' },
  tenant_unassigned: { status: 400, title: 'No tenant assigned' },
  tenant_ambiguous: { status: 400, title: 'Tenant ambiguous' },
  // Tenant assignments written through the Authority's admin API and CLI.
  tenant_duplicate: { status: 400, title: 'Duplicate tenant in assignment' },
  tenant_unknown: { status: 400, title: 'Unknown tenant in assignment' },
  tenant_assignment_missing: { status: 400, title: 'Tenant assignment missing' },
  role_invalid: { status: 400, title: 'Unknown role' },
  // OAuth 2.0 error names (RFC 6749 §4.1.2.1, §5.2), answered in the OAuth wire format.
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_client: { status: 401, title: 'Invalid client' },
  invalid_grant: { status: 400, title: 'Invalid grant' },
  unauthorized_client: { status: 400, title: 'Unauthorized client' },
  unsupported_grant_type: { status: 400, title: 'Unsupported grant type' },
  invalid_scope: { status: 400, title: 'Invalid scope' },
  access_denied: { status: 400, title: 'Access denied' },
  unsupported_response_type: { status: 400, title: 'Unsupported response type' },
  server_error: { status: 500, title: 'Server error' },
  // Operator-side failures (CLI and startup); the CLI maps them to exit codes.
  config_invalid: { status: 400, title: 'Invalid configuration' },
  policy_invalid: { status: 400, title: 'Invalid rollout policy' },
  policy_component_unknown: { status: 400, title: 'Rollout policy names an unknown component' },
  migration_failed: { status: 500, title: 'Migration failed' },
  schema_outdated: { status: 503, title: 'Database schema outdated' },
  unsafe_database_role: { status: 500, title: 'Unsafe database role' },
  matrix_setup_failed: { status: 502, title: 'Acceptance matrix setup failed' },
  // Generic service errors.
  validation_failed: { status: 400, title: 'Validation failed' },
  conflict: { status: 409, title: 'Conflict' },
  rate_limited: { status: 429, title: 'Too many requests' },
  bad_gateway: { status: 502, title: 'Bad gateway' },
  gateway_timeout: { status: 504, title: 'Gateway timeout' },
  unavailable: { status: 503, title: 'Service unavailable' },
  internal_error: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorTable;

/** Status a service (not the gateway) answers for `tenant_missing`: CONTRACT.md §6. */
export const SERVICE_TENANT_MISSING_STATUS = 400;

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  traceId: string;
  [extra: string]: unknown;
}

/**
 * The one base of every tenantgate error: a stable `code` from the table above, the HTTP
 * status the table gives it (unless overridden) and extra problem+json members. The
 * component host renders it as problem+json (src/host/app.ts); the CLI maps it to an exit
 * code (src/cli/exit.ts). Subclasses only name a code and carry their own data.
 */
export class TenantgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  /** For `insufficient_scope`: a scope that would do, named in the Bearer challenge (RFC 6750 §3). */
  readonly requiredScope: string | undefined;
  constructor(code: ErrorCode, detail: string, options: { status?: number; extra?: Record<string, unknown>; cause?: unknown; requiredScope?: string } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? errorTable[code].status;
    this.extra = options.extra ?? {};
    this.requiredScope = options.requiredScope;
  }
}

/** A contract failure raised directly with its code (CONTRACT.md §6). */
export class ContractError extends TenantgateError {}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorTable, value);
}

export function problem(code: ErrorCode, detail: string, traceId: string, status?: number, extra: Record<string, unknown> = {}): ProblemDetails {
  return {
    type: `https://tenantgate.dev/problems/${code}`,
    title: errorTable[code].title,
    status: status ?? errorTable[code].status,
    detail,
    code,
    traceId,
    ...extra,
  };
}

/** The code a tenant conflict is answered with on a module's routes: Graph has its own (§6). */
export function tenantConflictCode(module: string | null | undefined): 'tenant_conflict' | 'GRAPH_VALIDATION_FAILED' {
  return module === 'graph' ? 'GRAPH_VALIDATION_FAILED' : 'tenant_conflict';
}
