import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleFlow } from '../../src/runtime/flow-bundle.ts';

/** A project with a flow-like entry, a local import, a resolvable sibling and a package. */
let dir: string;
let out: string;

const write = (rel: string, text: string) => {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

/** Ages every file, so a fresh build may be cached (a build never caches sources written while it ran). */
function age(): void {
  const past = new Date(Date.now() - 3_600_000);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      fs.utimesSync(p, past, past);
    }
  };
  walk(dir);
}

const bundled = (file: string) => fs.readFileSync(file, 'utf8');
const build = () => bundleFlow(path.join(dir, 'flow.ts'), out);

/** Builds again after a change: a miss, and the new bundle's text. */
async function rebuilt(): Promise<string> {
  age();
  const after = await build();
  expect(after.cached).toBe(false);
  return bundled(after.file);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bundle-cache-'));
  out = path.join(dir, '.build');
  write(
    'flow.ts',
    "import { helper } from './helper.ts';\nimport { util } from './util';\nimport dep from 'dep';\nexport const value = helper + util + dep;\n",
  );
  write('helper.ts', "export const helper = 'helper-v1';\n");
  write('util.js', "export const util = 'util-js';\n");
  write('node_modules/dep/package.json', JSON.stringify({ name: 'dep', version: '1.0.0', main: 'one.js' }));
  write('node_modules/dep/one.js', 'module.exports = 1;\n');
  write('node_modules/dep/two.js', 'module.exports = 2;\n');
  age();
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('compiled flow bundles are cached by content', () => {
  it('reuses the bundle while nothing changed', async () => {
    const first = await build();
    expect(first.cached).toBe(false);
    const second = await build();
    expect(second.cached).toBe(true);
    expect(second.file).toBe(first.file);
    expect(second.code).toEqual(first.code);
  });

  it('rebuilds when a local import changes, even with its old modification time', async () => {
    await build();
    write('helper.ts', "export const helper = 'helper-v2';\n");
    expect(await rebuilt()).toContain('helper-v2');
    expect((await build()).code.files['helper.ts']).toContain('helper-v2');
  });

  it('rebuilds when the flow file itself changes', async () => {
    await build();
    write('flow.ts', "import { helper } from './helper.ts';\nexport const value = helper + 'entry-v2';\n");
    expect(await rebuilt()).toContain('entry-v2');
  });

  it('rebuilds when a new file would now win resolution', async () => {
    expect(bundled((await build()).file)).toContain('util-js');
    write('util.ts', "export const util = 'util-ts';\n");
    expect(await rebuilt()).toContain('util-ts');
  });

  it('rebuilds when a package the bundle pins changes (a new version, another entry file)', async () => {
    expect(bundled((await build()).file)).toContain(path.join('dep', 'one.js'));
    write('node_modules/dep/package.json', JSON.stringify({ name: 'dep', version: '2.0.0', main: 'two.js' }));
    expect(await rebuilt()).toContain(path.join('dep', 'two.js'));
  });

  it('does not cache a build whose sources were just written (they may change under esbuild)', async () => {
    write('helper.ts', "export const helper = 'fresh';\n");
    expect((await build()).cached).toBe(false);
    expect((await build()).cached).toBe(false);
  });
});
