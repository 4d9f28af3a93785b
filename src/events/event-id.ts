/**
 * Event ids: new ones, and the check of given ones. Both are hand-written (see "Kept hand-written"
 * in docs/ARCHITECTURE.md): the `uuid` package's `v7()` made ids 6–9× slower, and even fed with
 * pooled random bytes 15–50% slower (`bench/event-id.ts`), while every lifecycle event needs one; and
 * which given ids count is our rule (any UUID, stored lower-cased), not `uuid`'s.
 */
import { randomFillSync } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';
import { describeValue } from './describe-value.ts';

const random = Buffer.alloc(4096);
let randomOffset = random.length;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): Buffer {
  if (randomOffset + n > random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  const out = random.subarray(randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter seeded at random
 * each millisecond, then 62 random bits. Ids made by one process are strictly increasing, so they
 * sort by creation time.
 *
 * @example
 * newEventId(); // '0190a6f2-3c4d-7a1b-8e2f-0123456789ab'
 */
export function newEventId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    // Start low in the 12-bit space so a burst within one millisecond rarely overflows it.
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // The counter is spent: borrow the next millisecond, keeping ids increasing.
      lastMs = ++ms;
      counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
    }
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  randomBytes(8).copy(b, 8);
  b[8] = 0x80 | (b[8]! & 0x3f);
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

/**
 * A given event id (or `follows`) checked as a UUID and lower-cased.
 *
 * @throws ValidationError naming `field` for anything else.
 *
 * @example
 * checkEventId('0190A6F2-3C4D-7A1B-8E2F-0123456789AB', 'id', "The event 'id'"); // lower-cased
 */
export function checkEventId(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value))
    throw new ValidationError(
      field,
      `${what} must be a UUID such as '0190a6f2-3c4d-7a1b-8e2f-0123456789ab', got ${describeValue(value)}. Omit it to get a new one.`,
    );
  return value.toLowerCase();
}
