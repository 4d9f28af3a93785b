// The layering check of `npm run lint` (docs/ARCHITECTURE.md, "Layers"): no import cycles, and a
// folder of src/ imports only the folders before it in LAYERS (and itself). For layers, type-only
// imports count (tsPreCompilationDeps): a type is a dependency of the design even when it vanishes
// from the JS. For cycles they do not: a ring closed by an `import type` is erased at run time
// (no load-order trap), and it is how two classes that name each other stay apart (client/trigger.ts
// names `Run` as a type; objects.ts hands it a loader).
/** @type {readonly string[]} lowest first */
const LAYERS = ['core', 'events', 'automations', 'flow', 'store', 'client', 'runtime', 'server', 'cli'];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'itself'}.`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${[...LAYERS.slice(i + 1), 'testing'].join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No two modules may import values from each other, directly or through a longer chain.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...upward,
    {
      name: 'layer-cli',
      comment: 'src/cli/ may import every layer, but not the test kit.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/testing/' },
    },
    {
      name: 'layer-testing',
      comment: 'src/testing/ (the test kit) sits on runtime and store: not on client, server or cli.',
      severity: 'error',
      from: { path: '^src/testing/' },
      to: { path: '^src/(client|server|cli)/' },
    },
    {
      name: 'public-entry',
      comment: 'src/index.ts is the public entry; nothing inside src/ imports it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
