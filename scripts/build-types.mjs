// Emits the declarations shipped in the package (dist/types, `exports[…].types`) from the public
// entries, with tsconfig.build.json. TypeScript keeps `.ts` import extensions in declarations;
// they become `.js` so a user's TypeScript (any `moduleResolution`, no `allowImportingTsExtensions`)
// reads them. Run by `npm run build`, `prepare` and `npm test`; a few seconds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const outDir = 'dist/types';
fs.rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
// `from './x.ts'` and `import('./x.ts')`, outside comments (examples in doc comments stay as written).
const relativeTsSpecifier = /(from\s+|import\()(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;
const comment = /^\s*(\*|\/\/|\/\*)/;
for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = path.join(entry.parentPath, entry.name);
  const text = fs.readFileSync(file, 'utf8');
  const lines = text
    .split('\n')
    .map((line) =>
      comment.test(line)
        ? line
        : line.replace(relativeTsSpecifier, (_, lead, q, stem) => `${lead}${q}${stem}.js${q}`),
    );
  fs.writeFileSync(file, lines.join('\n'));
}
