// `npm start`: the examples run into the embedded store when it is empty, then `flowtrail server`
// serves the API and the web UI on it and prints the UI's address. FLOWTRAIL_HOME picks the home
// (default ./.flowtrail), PORT the port (default 8787).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { homeHasFlows, seedExamples } from './seed-examples.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = path.resolve(process.env.FLOWTRAIL_HOME ?? path.join(root, '.flowtrail'));
const port = process.env.PORT ?? '8787';
const env = { ...process.env, FLOWTRAIL_HOME: home };
const log = (line) => process.stdout.write(`${line}\n`);

function startServer(extra = []) {
  return spawn(
    process.execPath,
    [path.join(root, 'bin', 'flowtrail.js'), 'server', '--port', port, ...extra],
    {
      env,
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

if (!(await homeHasFlows(home))) {
  log(`The store in ${home} is empty: running the examples into it first.`);
  await seedExamples(home, {
    log,
    withChain: async (emit) => {
      const server = startServer();
      await new Promise((r) => setTimeout(r, 1500));
      try {
        await emit();
      } finally {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
    },
  });
}
const server = startServer();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
