// Bundles the runtime into dist/ (ESM, shared chunks so every entry sees one copy of each module).
// Run by `npm ci` / `npm install` (prepare) and before the tests; takes well under a second.
import { build } from 'esbuild';

await build({
  entryPoints: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    'worker-main': 'src/runtime/worker-main.ts',
    testing: 'src/testing/index.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
