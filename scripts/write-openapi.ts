// Writes the server's OpenAPI document (built from the route tables, as `GET /api/v1/openapi.json`
// answers it) to a file, for the web UI's generated API types. Run by scripts/build-web.mjs.
import fs from 'node:fs';
import { buildOpenApi } from '../src/server/openapi.ts';
import { routes } from '../src/server/routes/index.ts';
import { openApiRoute } from '../src/server/routes/service-routes.ts';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: write-openapi.ts OUT.json\n');
  process.exit(2);
}
fs.writeFileSync(out, `${JSON.stringify(buildOpenApi([...routes, openApiRoute]), null, 2)}\n`);
