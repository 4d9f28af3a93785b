/**
 * SQLite's text index (migration 13): a Bloom filter of the trigrams of each *block* of events,
 * in `event_text_blooms`. A block is the events whose seqs share `seq >> TEXT_BLOCK_BITS` (256
 * seqs); a row holds the filter of the search texts of the events one insert wrote to one block,
 * keyed by the first seq it covers (a block written by several inserts has several rows). The
 * index only narrows: a text filter's candidates are the events of the blocks whose filters have
 * every trigram of its terms, and each candidate is then checked exactly (`textContains` in
 * `sqlite-dialect.ts`), so answers equal `matchesFilter`'s.
 *
 * Why not FTS5 (its trigram tokenizer is there): an FTS5 document per event halved batched
 * ingest (28k against 56k events/s on the same rows), and one per block still cost ~6 µs of CPU
 * per event (every character tokenized, every block's distinct trigrams merged into segments),
 * ~35% of an event's insert. A Bloom filter costs a multiply per character and one row per block;
 * a query reads every filter (a few KB per 256 events), which is milliseconds where the scan it
 * replaces is seconds.
 *
 * Trigrams are of UTF-16 code units, over the whole search text (line breaks included), so every
 * term of three or more code units can use the index; shorter terms cannot (the filter scans).
 * The filter's size grows with its text (one bit per code unit, from 512 to 32,768 bits), and each
 * trigram sets two bits.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { TextQuery } from '../../../events/text-query.ts';
import { type Cond, E } from '../event-filter-sql.ts';
import type { Database } from '../schema.ts';

/** log2 of the seqs per block. */
export const TEXT_BLOCK_BITS = 8;
/** Seqs per block. */
export const TEXT_BLOCK_SIZE = 1 << TEXT_BLOCK_BITS;

const MIN_BITS = 512;
const MAX_BITS = 32_768;
// A term's trigrams tested: a handful already pins a rare term.
const MAX_TRIGRAMS_PER_TERM = 16;

/** The 32-bit hash of the trigram (a, b, c): its two bits are its low and high halves. */
function trigramHash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x01000193) ^ b;
  h = Math.imul(h, 0x01000193) ^ c;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** The Bloom filter of the trigrams of `texts`. */
export function textBloom(texts: readonly string[]): Uint8Array {
  let units = 0;
  for (const t of texts) units += t.length;
  let m = MIN_BITS;
  while (m < units && m < MAX_BITS) m <<= 1;
  const bits = new Uint8Array(m >> 3);
  const mask = m - 1;
  for (const t of texts) {
    if (t.length < 3) continue;
    let a = t.charCodeAt(0);
    let b = t.charCodeAt(1);
    for (let i = 2; i < t.length; i++) {
      const c = t.charCodeAt(i);
      const h = trigramHash(a, b, c);
      const p = h & mask;
      const q = (h >>> 16) & mask;
      bits[p >> 3]! |= 1 << (p & 7);
      bits[q >> 3]! |= 1 << (q & 7);
      a = b;
      b = c;
    }
  }
  return bits;
}

/** Whether a filter has every trigram hash of `hashes`. */
function hasAll(bits: Uint8Array, hashes: readonly number[]): boolean {
  const mask = bits.length * 8 - 1;
  for (const h of hashes) {
    const p = h & mask;
    const q = (h >>> 16) & mask;
    if ((bits[p >> 3]! & (1 << (p & 7))) === 0 || (bits[q >> 3]! & (1 << (q & 7))) === 0) return false;
  }
  return true;
}

/** A term's trigram hashes (at most a spread of 16), or undefined when it is too short. */
function termHashes(term: string): number[] | undefined {
  if (term.length < 3) return undefined;
  const hashes = new Set<number>();
  for (let i = 2; i < term.length; i++)
    hashes.add(trigramHash(term.charCodeAt(i - 2), term.charCodeAt(i - 1), term.charCodeAt(i)));
  const all = [...hashes];
  if (all.length <= MAX_TRIGRAMS_PER_TERM) return all;
  const step = (all.length - 1) / (MAX_TRIGRAMS_PER_TERM - 1);
  return Array.from({ length: MAX_TRIGRAMS_PER_TERM }, (_, i) => all[Math.round(i * step)]!);
}

/** What a filter must have: every term of `all`, and one of `any` when it is not empty. */
interface BloomProbe {
  all: number[][];
  any: number[][];
}

/**
 * The probe of a parsed query (required terms ANDed, plain terms ORed when each can be looked up;
 * exclusions never narrow), as the JSON text `flowtrail_text_bloom` reads, or undefined when no
 * term can use the index.
 */
export function textBloomProbe(q: TextQuery): string | undefined {
  const probe: BloomProbe = { all: [], any: [] };
  for (const t of q.required) {
    const h = termHashes(t);
    if (h) probe.all.push(h);
  }
  const any = q.include.map(termHashes);
  if (any.length > 0 && any.every((h): h is number[] => h !== undefined)) probe.any = any;
  return probe.all.length + probe.any.length === 0 ? undefined : JSON.stringify(probe);
}

/**
 * Registers on a connection the SQL functions of the text index: `flowtrail_text_bloom(bits,
 * probe)` (1 when a filter may hold an event matching the probe) and the aggregate
 * `flowtrail_text_bloom_of(text)` (the filter of a group of texts, used by migration 13).
 */
export function registerTextIndexFunctions(db: BetterSqlite3.Database): void {
  // The probe is one bound text per statement: parsed once.
  let lastText = '';
  let last: BloomProbe = { all: [], any: [] };
  db.function('flowtrail_text_bloom', { deterministic: true }, (bits: unknown, probeText: unknown) => {
    if (!(bits instanceof Uint8Array) || typeof probeText !== 'string') return 0;
    if (probeText !== lastText) {
      last = JSON.parse(probeText) as BloomProbe;
      lastText = probeText;
    }
    if (!last.all.every((h) => hasAll(bits, h))) return 0;
    return last.any.length === 0 || last.any.some((h) => hasAll(bits, h)) ? 1 : 0;
  });
  db.aggregate('flowtrail_text_bloom_of', {
    start: () => [] as string[],
    step: (texts: string[], text: unknown) => {
      if (typeof text === 'string') texts.push(text);
      return texts;
    },
    result: (texts: string[]) => Buffer.from(textBloom(texts)),
  });
}

/**
 * The index rows of new events (`seq` with its search text, in seq order), as `[first seq,
 * filter]`: one per block they fall in.
 */
export function textBlooms(events: readonly { seq: number; text: string }[]): [number, Buffer][] {
  const rows: [number, Buffer][] = [];
  let i = 0;
  while (i < events.length) {
    const first = events[i]!.seq;
    const block = Math.floor(first / TEXT_BLOCK_SIZE);
    const texts: string[] = [];
    while (i < events.length && Math.floor(events[i]!.seq / TEXT_BLOCK_SIZE) === block)
      texts.push(events[i++]!.text);
    const bits = textBloom(texts);
    rows.push([first, Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength)]);
  }
  return rows;
}

/** `SELECT b`: the blocks (`seq >> TEXT_BLOCK_BITS`) some filter of which matches a probe. */
export function matchingBlocks(probe: string): Cond {
  return sql`SELECT DISTINCT first_seq >> ${sql.lit(TEXT_BLOCK_BITS)} AS b FROM event_text_blooms
    WHERE flowtrail_text_bloom(bits, ${probe})`;
}

/** `e` lies in a block matching a probe (read from the time index: `seq` is in it). */
export function inMatchingBlock(probe: string): Cond {
  return sql`(${E.seq} >> ${sql.lit(TEXT_BLOCK_BITS)}) IN (${matchingBlocks(probe)})`;
}

/**
 * After events were deleted (retention): drops the filters of every block among `seqs` that has
 * no event left. A block with events left keeps its filters; they only over-approximate.
 */
export async function dropEmptyTextBlocks(trx: Transaction<Database>, seqs: readonly number[]): Promise<void> {
  const blocks = new Set(seqs.map((s) => Math.floor(s / TEXT_BLOCK_SIZE)));
  for (const b of blocks) {
    const lo = b * TEXT_BLOCK_SIZE;
    const hi = lo + TEXT_BLOCK_SIZE;
    await trx.executeQuery(
      CompiledQuery.raw(
        'DELETE FROM event_text_blooms WHERE first_seq >= ? AND first_seq < ? AND NOT EXISTS (SELECT 1 FROM events WHERE seq >= ? AND seq < ?)',
        [lo, hi, lo, hi],
      ),
    );
  }
}
