import { UsageError } from '../core/errors.ts';

/** Splits `--name value` / `--name=value` / `--flag` words that commander left over into parameters. */
export function parseParamWords(words: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--') || w === '--')
      throw new UsageError(`Unexpected argument '${w}'. Parameters are given as --name value.`);
    const eq = w.indexOf('=');
    if (eq > 0) {
      params[w.slice(2, eq)] = w.slice(eq + 1);
    } else {
      const next = words[i + 1];
      if (next === undefined || next.startsWith('--')) params[w.slice(2)] = '';
      else {
        params[w.slice(2)] = next;
        i++;
      }
    }
  }
  return params;
}
