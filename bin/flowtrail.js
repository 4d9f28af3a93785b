#!/usr/bin/env node
// The flowtrail CLI. Runs the bundled runtime from dist/ (built by `npm ci` / `npm run build`);
// FLOWTRAIL_FROM_SOURCE=1 runs the TypeScript sources through tsx instead.
import fs from 'node:fs';

// Output piped into `head` (or any reader that stops early) is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

const dist = new URL('../dist/cli.js', import.meta.url);
const args = process.argv.slice(2);
let cli;
let spares;
if (process.env.FLOWTRAIL_FROM_SOURCE !== '1' && fs.existsSync(dist)) {
  // A run forks its workers now, so they start up while the CLI loads (the pool takes them, or
  // stops those it does not need).
  if (args[0] === 'run' && !args.some((a) => a === '--isolate' || a === '--help' || a === '-h')) {
    spares = await import(new URL('../dist/worker-fork.js', import.meta.url).href);
    spares.forkSpareWorkers();
  }
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
try {
  process.exitCode = await cli.main(args);
} finally {
  spares?.stopSpareWorkers();
}
