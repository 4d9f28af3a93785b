// Writes docs/errors.md from the error code table (`node --import tsx scripts/errors-doc.ts`).
// A test checks that the committed file matches.
import fs from 'node:fs';
import { ErrorCodes } from '../src/core/errors.ts';

export function errorsMarkdown(): string {
  const rows = Object.entries(ErrorCodes).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`);
  return [
    '# Error codes',
    '',
    'Every error Flowtrail throws on purpose is a `FlowtrailError` with one of these stable codes',
    '(generated from `src/core/errors.ts` by `scripts/errors-doc.ts`; do not edit by hand).',
    '',
    '| code | meaning |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  fs.writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsMarkdown());
