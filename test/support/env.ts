/** Facts shared by the test runner and the tests it starts. */
export const testRoles = { owner: 'tenantgate_owner', runtime: 'tenantgate_app' };
export const TEST_RUNTIME_PASSWORD = 'test-runtime-password';

export function testAdminUrl(): string {
  const url = process.env.TENANTGATE_TEST_ADMIN_URL;
  if (!url) throw new Error('TENANTGATE_TEST_ADMIN_URL is not set: run tests with `npm test` (test/run.ts starts PostgreSQL)');
  return url;
}

export function testTmp(): string {
  return process.env.TENANTGATE_TEST_TMP ?? '/tmp';
}
