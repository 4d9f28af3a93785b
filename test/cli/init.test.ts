import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliSync } from '../helpers.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtrail-init-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const init = (...args: string[]) => runCliSync(['init', ...args], { ...process.env, FLOWTRAIL_HOME: dir });

describe('flowtrail init', () => {
  it('writes a starter flow and a tsconfig.json with the decorator lines', () => {
    const project = path.join(dir, 'pipelines');
    const r = init(project);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(project, 'flows/hello-flow.ts')}`);
    const flow = fs.readFileSync(path.join(project, 'flows/hello-flow.ts'), 'utf8');
    expect(flow).toContain("from 'flowtrail'");
    expect(flow).toContain('export class HelloFlow extends FlowSpec');
    const tsconfig = JSON.parse(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).toMatchObject({
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      experimentalDecorators: false,
      strict: true,
    });
    // The starter flow is a valid flow: `show` prints its graph.
    const show = runCliSync(['show', path.join(project, 'flows/hello-flow.ts')], {
      ...process.env,
      FLOWTRAIL_HOME: dir,
    });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Flow HelloFlow');
  });

  it('never overwrites: an existing flow file is refused (exit 2), an existing tsconfig.json kept', () => {
    expect(init(dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'flows/hello-flow.ts'), '// mine\n');
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      '{ "compilerOptions": { "experimentalDecorators": true } }\n',
    );
    const again = init(dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/hello-flow\.ts exists; init never overwrites\. .* \[USAGE\]\n$/);
    expect(fs.readFileSync(path.join(dir, 'flows/hello-flow.ts'), 'utf8')).toBe('// mine\n');

    const other = init(dir, '--name', 'NightlyETL');
    expect(other.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'flows/nightly-etl.ts'))).toBe(true);
    expect(other.stdout).toContain('kept');
    expect(other.stdout).toContain('"experimentalDecorators": false');
    expect(other.stdout).toContain('Flowtrail needs it off');
    expect(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')).toContain(
      '"experimentalDecorators": true',
    );
  });

  it('bad input exits 2: a flow name that is no identifier, a file for a directory', () => {
    const name = init(dir, '--name', 'my flow');
    expect(name.code).toBe(2);
    expect(name.stderr).toContain("--name 'my flow' is not a valid flow class name");
    fs.writeFileSync(path.join(dir, 'file.txt'), '');
    const file = init(path.join(dir, 'file.txt'));
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('is a file; give init a project directory');
    expect(fs.readdirSync(dir)).toEqual(['file.txt']);
  });
});
