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
let cli;
if (process.env.FLOWTRAIL_FROM_SOURCE !== '1' && fs.existsSync(dist)) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
