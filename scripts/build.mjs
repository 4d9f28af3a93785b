// Bundles the runtime into dist/ (ESM, shared chunks so every entry sees one copy of each module).
// Run by `npm ci` / `npm install` (prepare) and before the tests; takes well under a second.
// dist/types (the declarations) is scripts/build-types.mjs's and dist/web (the UI) scripts/build-web.mjs's; both stay.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

for (const entry of fs.existsSync('dist') ? fs.readdirSync('dist') : [])
  if (entry !== 'types' && entry !== 'web')
    fs.rmSync(path.join('dist', entry), { recursive: true, force: true });

await build({
  entryPoints: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    'worker-main': 'src/runtime/worker-main.ts',
    // Loaded by bin/flowtrail.js before the CLI, to fork a run's workers early.
    'worker-fork': 'src/runtime/worker-fork.ts',
    testing: 'src/testing/index.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay external, except the ESM-only ones (Kysely, Hono, zod): bundled, they load as
  // one file instead of hundreds (a cold `import { Run } from 'flowtrail'` is dominated by module
  // resolution otherwise). `pg` and `liquidjs` (its `main`, which esbuild picks for Node) are
  // CommonJS requiring Node built-ins, which an ESM bundle cannot. The AWS SDK is CommonJS too (loaded
  // only when an s3:// artifact store is used), and so are BullMQ and ioredis (loaded only by the
  // queue executor and `flowtrail worker`).
  external: [
    '@aws-sdk/client-s3',
    '@aws-sdk/lib-storage',
    'better-sqlite3',
    'bullmq',
    'commander',
    'esbuild',
    'ioredis',
    'liquidjs',
    'msgpackr',
    'pg',
    'tsx',
  ],
  sourcemap: 'linked',
  logLevel: 'warning',
});
