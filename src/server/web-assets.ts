/**
 * The web UI's files, served beside the API: `index.html` for every page URL (the UI routes in the
 * browser), hashed files under `/assets/` cached for good, `index.html` never (a new build shows at
 * once). Every answer carries the Content-Security-Policy: scripts, styles, fonts and requests only
 * from this origin, so neither an injected tag nor a dependency can reach another origin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React Flow positions nodes with style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** `dist/web` of the package this module belongs to (from `dist/cli.js` or from `src/server/`). */
export function defaultWebRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'web');
    dir = path.dirname(dir);
  }
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Flowtrail</title>
<p>The web UI is not built in this checkout. Run <code>npm run build</code> (or <code>npm ci</code>), then reload.
The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>`;

/** Registers the UI on `app` (after the API routes, so `/api/…` never reaches it). */
export function serveWebAssets(app: Hono, root: string): void {
  const indexFile = path.join(root, 'index.html');
  const assetsDir = path.join(root, 'assets');
  app.get('/assets/*', async (c) => {
    const name = decodeURIComponent(new URL(c.req.url).pathname.slice('/assets/'.length));
    const file = path.join(assetsDir, name);
    // No `..` escapes, no directories.
    if (!file.startsWith(assetsDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile())
      return c.text(`There is no UI asset ${name}.`, 404, SECURITY_HEADERS);
    const body = await fs.promises.readFile(file);
    return c.body(body, 200, {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  app.get('*', async (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    if (pathname.startsWith('/api/')) return next();
    const html = fs.existsSync(indexFile) ? await fs.promises.readFile(indexFile, 'utf8') : NOT_BUILT;
    return c.html(html, 200, { ...SECURITY_HEADERS, 'cache-control': 'no-cache, no-store' });
  });
}
