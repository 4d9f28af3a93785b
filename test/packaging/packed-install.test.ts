/**
 * "Use it in your project", as a new user would: the packed package (`npm pack`) installed into a
 * fresh project, `flowtrail init`, a flow and a client script type-checked under a user's common
 * settings (NodeNext, strict, skipLibCheck, @types/node 20) with TypeScript 5.9 and with the
 * project's own TypeScript, then the flow run with the installed bin and read back by the script.
 * The install reuses this repository's node_modules (symlinked), so it is offline and fast.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, repoRoot } from '../helpers.ts';

const TYPESCRIPTS = {
  'TypeScript 5.9': path.join(repoRoot, 'node_modules/typescript-5/bin/tsc'),
  "the project's TypeScript": path.join(repoRoot, 'node_modules/typescript/bin/tsc'),
};

const CLIENT_SCRIPT = `import { namespace, NotFoundError, Run } from 'flowtrail';
import type { TempHome } from 'flowtrail/testing';
import type { HelloFlow } from './flows/hello-flow.js';

namespace(null);
const run = await Run.get<HelloFlow>(process.argv[2] ?? 'HelloFlow/1');
const greeting: string = await run.data.greeting;
// @ts-expect-error: artifacts are typed from the flow class (greeting is a string)
const wrong: number = await run.data.greeting;
const home: TempHome | undefined = undefined;
const notFound: NotFoundError | undefined = undefined;
console.log(run.pathspec, run.status, greeting, wrong === 0, home, notFound);
`;

let tmp: string;
let project: string;
let tarball: string;

const run = (command: string, args: string[]) =>
  spawnSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, FLOWTRAIL_HOME: path.join(project, '.flowtrail'), FLOWTRAIL_FROM_SOURCE: '' },
  });

/** The installed bin, as `npx flowtrail` runs it. */
const flowtrail = (...args: string[]) => run(process.execPath, ['node_modules/.bin/flowtrail', ...args]);

beforeAll(() => {
  for (const built of ['dist/cli.js', 'dist/index.js', 'dist/types/index.d.ts'])
    if (!fs.existsSync(path.join(repoRoot, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtrail-packed-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { filename: string }[];
  tarball = path.join(tmp, packed[0]!.filename);

  project = path.join(tmp, 'my-pipelines');
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(path.join(modules, 'flowtrail'), { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'flowtrail'), '--strip-components=1']);
  // The package's dependencies (and @types/node, tsx): the ones installed here, linked.
  for (const name of fs.readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (name.startsWith('.') || name === 'flowtrail') continue;
    fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name));
  }
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync('../flowtrail/bin/flowtrail.js', path.join(modules, '.bin/flowtrail'));
  fs.writeFileSync(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'my-pipelines', private: true, type: 'module', dependencies: { flowtrail: '0.1.0' } }, null, 2)}\n`,
  );
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package in a fresh project', () => {
  it('ships compiled declarations and points exports.types at them', () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules/flowtrail/package.json'), 'utf8'),
    );
    for (const entry of ['.', './testing']) {
      const types = pkg.exports[entry].types as string;
      expect(types).toMatch(/\.d\.ts$/);
      expect(fs.existsSync(path.join(project, 'node_modules/flowtrail', types))).toBe(true);
    }
  });

  it('flowtrail init writes a starter flow and tsconfig; flow and client type-check with TypeScript 5.9 and 6', () => {
    const init = flowtrail('init');
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    fs.writeFileSync(path.join(project, 'client.ts'), CLIENT_SCRIPT);
    for (const file of ['foreach.ts', 'params.ts', 'branch.ts'])
      fs.copyFileSync(example(file), path.join(project, 'flows', file));

    for (const [label, tsc] of Object.entries(TYPESCRIPTS)) {
      const version = run(process.execPath, [tsc, '--version']).stdout.trim();
      expect(version, label).toMatch(label === 'TypeScript 5.9' ? /^Version 5\.9\./ : /^Version 6\./);
      const check = run(process.execPath, [tsc, '-p', '.']);
      expect(`${check.stdout}${check.stderr}`, `${label} (${version})`).toBe('');
      expect(check.status, label).toBe(0);
    }
  });

  it('runs the flow with the installed bin, and the client script reads it back', () => {
    const flow = flowtrail('run', 'flows/hello-flow.ts', '--who', 'tester');
    expect(flow.stderr).toBe('');
    expect(flow.status).toBe(0);
    expect(flow.stdout).toContain('Hello, tester, from HelloFlow/1/greet/2');
    expect(flow.stdout).toContain('Run HelloFlow/1 completed');
    const client = run(process.execPath, ['--import', 'tsx', 'client.ts', 'HelloFlow/1']);
    expect(client.stderr).toBe('');
    expect(client.stdout).toBe('HelloFlow/1 completed Hello, tester false undefined undefined\n');
  });
});
