import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown } from '../../scripts/errors-doc.ts';
import {
  ErrorCodes,
  errorFromJSON,
  FlowtrailError,
  InvalidGraphError,
  toExceptionRecord,
  ValidationError,
} from '../../src/core/errors.ts';
import { parsePathspec } from '../../src/core/pathspec.ts';
import { repoRoot } from '../helpers.ts';

describe('errors', () => {
  it('docs/errors.md lists every code (regenerate with scripts/errors-doc.ts)', () => {
    expect(fs.readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8')).toBe(errorsMarkdown());
  });

  it('errors carry a stable code, details and a JSON form', () => {
    const e = new InvalidGraphError("Step 'a' is unreachable", 'a');
    expect(e).toBeInstanceOf(FlowtrailError);
    expect(e.name).toBe('InvalidGraphError');
    expect(e.toJSON()).toEqual({
      code: 'INVALID_GRAPH',
      message: "Step 'a' is unreachable",
      details: { step: 'a' },
    });
    expect(new ValidationError('tag', 'bad').field).toBe('tag');
    expect(toExceptionRecord(e)).toMatchObject({ type: 'InvalidGraphError', code: 'INVALID_GRAPH' });
    expect(toExceptionRecord('plain string')).toEqual({ type: 'string', message: 'plain string', stack: '' });
  });

  it('parses pathspecs and rejects malformed ones with a typed error', () => {
    expect(parsePathspec('HelloFlow/2/start/3/x')).toEqual({
      flow: 'HelloFlow',
      run: 2,
      step: 'start',
      task: 3,
      artifact: 'x',
    });
    expect(parsePathspec('HelloFlow')).toEqual({ flow: 'HelloFlow' });
    for (const bad of [
      '',
      'Hello Flow',
      'HelloFlow/x',
      'HelloFlow//start',
      'A/1/s/t',
      'A/1/2bad',
      'A/1/s/1/x/y',
    ]) {
      expect(() => parsePathspec(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_PATHSPEC' }));
    }
  });
});

describe('the public entry', () => {
  it('exports every error class errorFromJSON can produce', async () => {
    const entry: Record<string, unknown> = await import('../../src/index.ts');
    const exported = new Set(Object.values(entry));
    const missing: string[] = [];
    for (const code of Object.keys(ErrorCodes)) {
      const cls = errorFromJSON({ code, message: 'm' }).constructor;
      if (!exported.has(cls)) missing.push(`${code} → ${cls.name}`);
    }
    expect(missing).toEqual([]);
  });
});
