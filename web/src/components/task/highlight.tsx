/**
 * Text with the matches of a search term marked, as React text nodes and `<mark>` elements only —
 * never HTML — so a log line or value containing markup shows as the characters it is.
 */
import type { ReactNode } from 'react';

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** `text` split around case-insensitive matches of `term` (the whole text when there is no term). */
export function Highlight({ text, term }: { text: string; term: string | undefined }): ReactNode {
  if (!term) return text;
  const parts = text.split(new RegExp(`(${term.replace(SPECIAL, '\\$&')})`, 'gi'));
  if (parts.length === 1) return text;
  // split() with one capture group alternates: even indices are between matches, odd ones are matches.
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string have no other identity
      <mark key={i}>{part}</mark>
    ) : (
      part
    ),
  );
}
