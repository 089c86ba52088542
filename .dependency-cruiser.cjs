/**
 * The import graph of src/: no cycles, and layers that run one way (ARCHITECTURE.md):
 *
 *   contract, crypto → config → db → telemetry → flags → identity, host, demo, matrix
 *     → components (authority, gateway, modules, rollout; never each other)
 *     → components.ts, stack.ts → cli
 *
 * Each rule forbids a folder to import any folder above it; packages/verify (the SDK) imports
 * nothing of tenantgate, only jose, and src/identity is the one place tenantgate imports it
 * from (the built-in services verify assertions with the SDK's checks). `npm run lint` runs this.
 */
const layers = [
  ['contract', 'crypto'],
  ['config'],
  ['db'],
  ['telemetry'],
  ['flags'],
  ['identity', 'host', 'demo', 'matrix'],
  ['authority', 'gateway', 'modules', 'rollout'],
  ['components.ts', 'stack.ts'],
  ['cli'],
];
const path = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})($|/)`;

const upward = layers.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} sit below ${layers.slice(i + 1).flat().join(', ')} and must not import them`,
  severity: 'error',
  from: { path: path(layer) },
  to: { path: path(layers.slice(i + 1).flat()) },
}));

const components = ['authority', 'gateway', 'modules', 'rollout'];
const sideways = components.map((name) => ({
  name: `component-${name}`,
  comment: `a component never imports another component: what ${name} needs travels through config, flags or identity`,
  severity: 'error',
  from: { path: path([name]) },
  to: { path: path(components.filter((c) => c !== name)) },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'files must not import each other in a cycle', severity: 'error', from: {}, to: { circular: true } },
    ...upward,
    ...sideways,
    {
      // Spelled out as well as implied by component-modules: the identity assertion a module
      // verifies, its key set and the identity types live in src/identity, never in gateway/.
      name: 'modules-verify-through-identity',
      comment: 'modules verify the gateway identity assertion through src/identity and never import src/gateway',
      severity: 'error',
      from: { path: '^src/modules($|/)' },
      to: { path: '^src/gateway($|/)' },
    },
    {
      // The checks of the identity assertion exist once, in the SDK; tenantgate reaches them
      // through src/identity/verify-assertion.ts only, which maps its key set and codes.
      name: 'sdk-through-identity',
      comment: 'only src/identity imports @tenantgate/verify (packages/verify); everything else verifies through src/identity',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/identity/' },
      to: { path: '^packages/verify/' },
    },
    {
      name: 'sdk-standalone',
      comment: '@tenantgate/verify installs without tenantgate: it imports nothing outside packages/verify',
      severity: 'error',
      from: { path: '^packages/verify/' },
      to: { pathNot: ['^packages/verify/', '^node_modules/jose/'], dependencyTypesNot: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
