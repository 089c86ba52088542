import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'packages/*/dist/**', 'web/dist/**', '.tenantgate/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', window: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // Database access goes through src/db's handles: the pool stays private there, and a
    // transaction is a withTransaction/withTenant callback, never hand-written BEGIN/COMMIT.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='pool']", message: 'Use the Database handle (query, withTransaction, withTenant, withSession), not its pool.' },
        { selector: 'Literal[value=/^\\s*(begin|start transaction|commit|rollback)(\\s+(work|transaction|isolation .*|read .*))?\\s*;?\\s*$/i]', message: 'Use db.withTransaction or db.withTenant instead of a hand-written transaction.' },
        { selector: 'TemplateElement[value.raw=/^\\s*(begin|start transaction|commit|rollback)(\\s+(work|transaction|isolation .*|read .*))?\\s*;?\\s*$/i]', message: 'Use db.withTransaction or db.withTenant instead of a hand-written transaction.' },
      ],
    },
  },
  {
    // The SDK stands alone: it installs without tenantgate, so it imports only jose and node's
    // own modules (the tenant rule is copied, not imported). .dependency-cruiser.cjs checks the same.
    files: ['packages/verify/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+(src|test|bench|web)(/|$)', message: '@tenantgate/verify must not import the rest of tenantgate.' }, { regex: '^(?!jose$|node:|\\.)', message: '@tenantgate/verify depends on jose only.' }] },
      ],
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
