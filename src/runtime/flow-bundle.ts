import crypto from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { FlowLoadError } from '../core/errors.ts';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { CodePackage } from './code-package.ts';
import { type BuildInputs, cachedBundle, storeBundleManifest } from './flow-bundle-cache.ts';

/** True when this runtime runs from TypeScript sources (tests, development) rather than from dist/. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The public entry of this very runtime: flows bind to it, so they share its state (e.g. `current`). */
const SELF_ENTRY = fileURLToPath(
  new URL(RUNNING_FROM_SOURCE ? '../index.ts' : './index.js', import.meta.url),
);

const BUILTINS = new Set(builtinModules);

export interface FlowBundle {
  /** The bundled flow module (plain ESM, no loader needed). */
  file: string;
  /** The flow source and its local imports. */
  code: CodePackage;
  /** True when an earlier build of the same inputs was reused. */
  cached: boolean;
}

/** Everything besides the flow's own inputs that shapes the bundle: a change makes a new cache key. */
const BUILD_IDENTITY = JSON.stringify({ FLOWTRAIL_VERSION, SELF_ENTRY, builder: import.meta.url });

/**
 * Compiles a flow file and its local imports into one ESM file with esbuild. Packages stay
 * external but are pinned to absolute paths resolved from the flow's directory, so the bundle can
 * live anywhere; `flowtrail` itself resolves to this runtime. Workers import the bundle without
 * a TypeScript loader, which keeps their start-up short.
 *
 * Builds are cached by content (`flow-bundle-cache.ts`): when the flow file, its local imports,
 * the packages it pins and the config files esbuild reads are unchanged, the earlier bundle is
 * reused without starting esbuild.
 */
export async function bundleFlow(flowFile: string, outDir: string): Promise<FlowBundle> {
  const entry = path.resolve(flowFile);
  if (!fs.existsSync(entry)) throw new FlowLoadError(entry, `Flow file ${flowFile} does not exist.`);
  const hit = cachedBundle(outDir, entry, BUILD_IDENTITY);
  if (hit) return { ...hit, cached: true };
  const packages = new Set<string>();
  const pin: Plugin = {
    name: 'flowtrail-pin-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || BUILTINS.has(args.path.split('/')[0]!))
          return { path: args.path, external: true };
        if (args.path === 'flowtrail') return { path: SELF_ENTRY, external: true };
        if (args.pluginData === 'pinned') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'pinned',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        packages.add(resolved.path);
        return { path: resolved.path, external: true };
      });
    },
  };
  // Loaded only on a cache miss: a cached run never starts esbuild.
  const { build } = await import('esbuild');
  // Whole milliseconds, with a margin for file systems that round modification times.
  const buildStartedAt = Math.floor(Date.now() / 1000) * 1000 - 1000;
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      metafile: true,
      logLevel: 'silent',
      plugins: [pin],
    });
  } catch (e) {
    const errors =
      (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const detail = errors
      .map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`)
      .join('; ');
    throw new FlowLoadError(
      entry,
      `Flow file ${flowFile} does not compile: ${detail || (e as Error).message}`,
      e,
    );
  }
  const output = result.outputFiles![0]!;
  const hash = crypto.createHash('sha256').update(output.contents).digest('hex').slice(0, 24);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${path.basename(entry).replace(/\.[^.]+$/, '')}-${hash}.mjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, output.contents);
    fs.renameSync(tmp, file);
  }
  const root = path.dirname(entry);
  const files: Record<string, string> = {};
  const inputs: BuildInputs = { sources: [], packages: [...packages] };
  for (const input of Object.keys(result.metafile!.inputs)) {
    const abs = path.resolve(input);
    inputs.sources.push(abs);
    if (abs.includes(`${path.sep}node_modules${path.sep}`)) continue;
    files[path.relative(root, abs)] = fs.readFileSync(abs, 'utf8');
  }
  const code: CodePackage = { entry: path.basename(entry), root, files };
  storeBundleManifest(outDir, entry, BUILD_IDENTITY, inputs, { file, code }, buildStartedAt);
  return { file, code, cached: false };
}
