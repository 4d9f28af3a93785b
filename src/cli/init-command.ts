/**
 * `flowtrail init [DIR]`: a starter flow and the tsconfig.json lines Flowtrail's decorators need, for
 * a project that has just installed flowtrail. Never overwrites: an existing flow file is refused,
 * an existing tsconfig.json is left as it is (the lines it needs are printed instead).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import { isValidFlowName } from '../core/pathspec.ts';

const DEFAULT_FLOW_NAME = 'HelloFlow';

/**
 * The compiler options a Flowtrail project needs. Flowtrail's decorators are standard (TC39)
 * decorators, which TypeScript checks only with `experimentalDecorators` off.
 */
const DECORATOR_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  experimentalDecorators: false,
  emitDecoratorMetadata: false,
} as const;

// `types` by name: TypeScript 6 no longer loads every @types package by default.
const STARTER_TSCONFIG = {
  compilerOptions: {
    ...DECORATOR_COMPILER_OPTIONS,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
};

/** `HelloFlow` → `hello-flow`. */
function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

function starterFlow(name: string): string {
  return `import { current, FlowSpec, param, step } from 'flowtrail';

/** A starter flow: start → greet → end. Run it with \`npx flowtrail run <this file> --who you\`. */
export class ${name} extends FlowSpec {
  @param.string({ default: 'world', help: 'who to greet' })
  who!: string;

  greeting!: string;

  @step({ next: 'greet' })
  async start() {
    this.greeting = \`Hello, \${this.who}\`;
  }

  @step({ next: 'end' })
  async greet() {
    console.log(\`\${this.greeting}, from \${current.pathspec}\`);
  }

  @step()
  async end() {}
}
`;
}

interface InitResult {
  /** Files written, relative to the project directory. */
  written: string[];
  /** Set when tsconfig.json existed and was left untouched. */
  keptTsconfig: boolean;
  /** The kept tsconfig.json turns `experimentalDecorators` on, which Flowtrail's decorators cannot use. */
  legacyDecorators: boolean;
}

/** Writes the starter files into `dir` (created when missing); refuses to overwrite a flow file. */
function initProject(dir: string, flowName: string = DEFAULT_FLOW_NAME): InitResult {
  if (!isValidFlowName(flowName))
    throw new UsageError(
      `--name '${flowName}' is not a valid flow class name; use letters, digits and _, starting with a letter (e.g. ${DEFAULT_FLOW_NAME}).`,
    );
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new UsageError(`'${dir}' is a file; give init a project directory.`);
  const flowFile = path.join('flows', `${kebabCase(flowName)}.ts`);
  if (fs.existsSync(path.join(dir, flowFile)))
    throw new UsageError(
      `${path.join(dir, flowFile)} exists; init never overwrites. Choose another --name or remove the file.`,
    );
  fs.mkdirSync(path.join(dir, 'flows'), { recursive: true });
  fs.writeFileSync(path.join(dir, flowFile), starterFlow(flowName), { flag: 'wx' });
  const written = [flowFile];
  const tsconfig = path.join(dir, 'tsconfig.json');
  const keptTsconfig = fs.existsSync(tsconfig);
  const legacyDecorators =
    keptTsconfig && /"experimentalDecorators"\s*:\s*true/.test(fs.readFileSync(tsconfig, 'utf8'));
  if (!keptTsconfig) {
    fs.writeFileSync(tsconfig, `${JSON.stringify(STARTER_TSCONFIG, null, 2)}\n`, {
      flag: 'wx',
    });
    written.push('tsconfig.json');
  }
  return { written, keptTsconfig, legacyDecorators };
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'Start a Flowtrail project: a starter flow in flows/ and a tsconfig.json with the lines decorators need (never overwrites).',
    )
    .argument('[dir]', 'the project directory (default: this one)', '.')
    .option('--name <Flow>', `the starter flow's class name (default ${DEFAULT_FLOW_NAME})`)
    .action((dir: string, flags: { name?: string }) => {
      const { written, keptTsconfig, legacyDecorators } = initProject(dir, flags.name);
      for (const file of written) process.stdout.write(`wrote ${path.join(dir, file)}\n`);
      if (keptTsconfig) {
        const lines = Object.entries(DECORATOR_COMPILER_OPTIONS)
          .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)},`)
          .join('\n');
        process.stdout.write(
          `kept ${path.join(dir, 'tsconfig.json')}; Flowtrail's decorators need these compilerOptions:\n${lines}\n`,
        );
        if (legacyDecorators)
          process.stdout.write(
            'Its "experimentalDecorators": true selects legacy decorators; Flowtrail needs it off.\n',
          );
      }
      process.stdout.write(`Run it: npx flowtrail run ${path.join(dir, written[0]!)}\n`);
    });
}
