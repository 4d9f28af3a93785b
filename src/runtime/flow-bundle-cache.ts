/**
 * The compiled-bundle cache: a manifest per flow file records the fingerprint of everything the
 * build read or depended on; a later build whose fingerprint is unchanged reuses the bundle.
 *
 * The fingerprint covers the content of every source esbuild read, the `package.json` of every
 * package the bundle pins (a new version re-resolves), the config files esbuild consults
 * (`tsconfig.json`, `jsconfig.json`, `package.json` in each directory above a source), and the
 * listing of each source directory and of each `node_modules` above one (a new file or package
 * that would now win resolution). Anything unreadable or changed is a miss: a stale bundle must
 * never run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CodePackage } from './code-package.ts';

/** What a build read: bundled sources and the resolved entry files of pinned packages. */
export interface BuildInputs {
  sources: string[];
  packages: string[];
}

interface CachedBundle {
  file: string;
  code: CodePackage;
}

interface Manifest extends CachedBundle {
  identity: string;
  /** Key → sha256 of the content, or null when absent. */
  fingerprint: Record<string, string | null>;
}

const CONFIG_FILES = ['tsconfig.json', 'jsconfig.json', 'package.json'];

const sha = (data: string | Uint8Array): string => crypto.createHash('sha256').update(data).digest('hex');

function fileHash(file: string): string | null {
  try {
    return sha(fs.readFileSync(file));
  } catch {
    return null;
  }
}

function listingHash(dir: string): string | null {
  try {
    return sha(fs.readdirSync(dir).sort().join('\n'));
  } catch {
    return null;
  }
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) return out;
  }
}

/** The directory of the nearest `package.json` above `file`. */
function packageRoot(file: string): string | undefined {
  for (const d of ancestors(path.dirname(file))) if (fs.existsSync(path.join(d, 'package.json'))) return d;
  return undefined;
}

/** What to check, by key: `file:` content, `dir:` listing. */
function fingerprintKeys(inputs: BuildInputs): string[] {
  const keys = new Set<string>();
  const dirs = new Set<string>();
  for (const source of inputs.sources) {
    keys.add(`file:${source}`);
    if (!source.includes(`${path.sep}node_modules${path.sep}`)) dirs.add(path.dirname(source));
  }
  for (const resolved of inputs.packages) {
    keys.add(`exists:${resolved}`);
    const root = packageRoot(resolved);
    if (root) keys.add(`file:${path.join(root, 'package.json')}`);
  }
  for (const dir of dirs) {
    keys.add(`dir:${dir}`);
    for (const d of ancestors(dir)) {
      for (const name of CONFIG_FILES) keys.add(`file:${path.join(d, name)}`);
      keys.add(`dir:${path.join(d, 'node_modules')}`);
    }
  }
  return [...keys];
}

function measure(key: string): string | null {
  const at = key.indexOf(':');
  const kind = key.slice(0, at);
  const target = key.slice(at + 1);
  if (kind === 'file') return fileHash(target);
  if (kind === 'dir') return listingHash(target);
  return fs.existsSync(target) ? 'yes' : null;
}

function manifestPath(outDir: string, entry: string, identity: string): string {
  return path.join(outDir, 'cache', `${sha(`${entry}\n${identity}`).slice(0, 24)}.json`);
}

/** The earlier bundle of `entry`, if nothing it depends on changed since. */
export function cachedBundle(outDir: string, entry: string, identity: string): CachedBundle | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath(outDir, entry, identity), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.identity !== identity || !fs.existsSync(manifest.file)) return undefined;
  for (const [key, expected] of Object.entries(manifest.fingerprint))
    if (measure(key) !== expected) return undefined;
  // The stored code package holds the sources whose hashes were just checked.
  return { file: manifest.file, code: manifest.code };
}

/**
 * Records a finished build. Skipped when a source changed while esbuild ran (modified after
 * `buildStartedAt`): its fingerprint could describe a newer version than the bundle.
 */
export function storeBundleManifest(
  outDir: string,
  entry: string,
  identity: string,
  inputs: BuildInputs,
  bundle: CachedBundle,
  buildStartedAt: number,
): void {
  try {
    for (const source of inputs.sources) if (fs.statSync(source).mtimeMs >= buildStartedAt) return;
    const fingerprint: Record<string, string | null> = {};
    for (const key of fingerprintKeys(inputs)) fingerprint[key] = measure(key);
    const manifest: Manifest = { identity, fingerprint, ...bundle };
    const file = manifestPath(outDir, entry, identity);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(manifest));
    fs.renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs the next run a build.
  }
}
