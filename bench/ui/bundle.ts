/**
 * The web UI's initial download: the JavaScript and CSS `dist/web/index.html` loads before the
 * first screen (its module script and modulepreload links), gzipped at level 9 as a server
 * would send it, and everything in dist/web/assets for comparison (lazy chunks, the layout worker).
 * Target: initial JavaScript ≤ 250 KB gzipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

const gzipKb = (file: string) => gzipSync(fs.readFileSync(file), { level: 9 }).length / 1024;

export async function run(): Promise<Record<string, number | string>> {
  const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
  const initial = new Set<string>();
  for (const m of html.matchAll(
    /<script[^>]+src="([^"]+)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g,
  ))
    initial.add((m[1] ?? m[2])!);
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const file = (url: string) => path.join(web, url.replace(/^\//, ''));
  const initialJs = [...initial].reduce((sum, url) => sum + gzipKb(file(url)), 0);
  const assets = fs.readdirSync(path.join(web, 'assets'));
  const allJs = assets
    .filter((a) => a.endsWith('.js'))
    .reduce((s, a) => s + gzipKb(path.join(web, 'assets', a)), 0);
  return {
    'initial JS files': initial.size,
    'initial JS (KB gzipped)': Number(initialJs.toFixed(1)),
    'initial CSS (KB gzipped)': Number(css.reduce((s, url) => s + gzipKb(file(url)), 0).toFixed(1)),
    'all JS incl. lazy chunks and workers (KB gzipped)': Number(allJs.toFixed(1)),
    'initial JS target (KB gzipped)': 250,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
