/**
 * Small text helpers shared by the CLI's read commands (`show`, `logs`, `dump`, `tag`): times,
 * durations, sizes, aligned tables, and the namespace options every read command takes.
 */
import type { Command } from 'commander';
import { namespace } from '../client/provider.ts';
import { UsageError } from '../core/errors.ts';

/** `--namespace NS` / `--all-namespaces`, as commander hands them over. */
export interface NamespaceFlags {
  namespace?: string;
  allNamespaces?: boolean;
}

/** Adds `--namespace NS` and `--all-namespaces` to a command. */
export function withNamespaceOptions(cmd: Command): Command {
  return cmd
    .option('--namespace <ns>', 'read in this namespace, e.g. user:alice (default: your own, user:<you>)')
    .option('--all-namespaces', 'read in the global namespace (every run of every user)');
}

/** Switches the client's namespace as the flags ask; without them the client's default stays. */
export function applyNamespace(flags: NamespaceFlags): void {
  if (flags.allNamespaces && flags.namespace !== undefined)
    throw new UsageError('Give either --namespace NS or --all-namespaces, not both.');
  if (flags.allNamespaces) namespace(null);
  else if (flags.namespace !== undefined) namespace(flags.namespace);
}

/** Parses a non-negative (`min` 0) or positive (`min` 1) integer option. */
export function intOption(name: string, value: string | undefined, min: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer, got '${value}'.`,
    );
  return n;
}

/** `2025-01-31T12:00:05Z` (seconds), or `-` for no date. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '-';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ISO time or null, for JSON. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** Milliseconds between two dates; to now when `end` is null and `untilNow` is set. */
export function durationMs(start: Date | null, end: Date | null, untilNow = false): number | null {
  if (!start) return null;
  if (end) return end.getTime() - start.getTime();
  return untilNow ? Date.now() - start.getTime() : null;
}

/** `512 B`, `1.5 KiB`, `2.0 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Left-aligned columns separated by two spaces, with a header row; every line indented by `indent`. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = '  ',
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${indent}${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `Label:  value` lines with the values aligned. */
export function fields(entries: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(...entries.map(([k]) => k.length)) + 1;
  return entries.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)} ${v}`);
}

/** Pretty JSON with a trailing newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
