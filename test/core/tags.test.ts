import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import {
  applyTagMutation,
  MAX_TAG_LENGTH,
  MAX_USER_TAGS,
  validateTag,
  validateTags,
} from '../../src/core/tags.ts';

/** Calls `fn`, expecting a ValidationError, and returns it. */
function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const numbered = (n: number, prefix = 't'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('validateTag', () => {
  it('has the documented limits', () => {
    expect(MAX_TAG_LENGTH).toBe(500);
    expect(MAX_USER_TAGS).toBe(50);
  });

  it('returns a valid tag unchanged (no trimming)', () => {
    expect(validateTag('nightly')).toBe('nightly');
    expect(validateTag(' padded ')).toBe(' padded ');
    expect(validateTag('team:ml/ünïcødé ✓')).toBe('team:ml/ünïcødé ✓');
  });

  it('accepts 500 characters and refuses 501, naming the tag (cut to 40 characters) and the rule', () => {
    expect(validateTag('x'.repeat(500))).toHaveLength(500);
    const e = validationError(() => validateTag(`${'a'.repeat(40)}${'b'.repeat(461)}`));
    expect(e.field).toBe('tag');
    expect(e.message).toContain(`'${'a'.repeat(40)}…'`);
    expect(e.message).not.toContain('b');
    expect(e.message).toContain('501');
    expect(e.message).toContain('500');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateTag('🚀'.repeat(500))).toHaveLength(1000);
    expect(() => validateTag('🚀'.repeat(501))).toThrow(ValidationError);
    const e = validationError(() => validateTag('🚀'.repeat(501)));
    expect(e.message).toContain(`'${'🚀'.repeat(40)}…'`);
  });

  it('refuses empty and whitespace-only tags', () => {
    for (const tag of ['', ' ', '   ', '\t\n', '\u00a0']) {
      const e = validationError(() => validateTag(tag));
      expect(e.field).toBe('tag');
      expect(e.message).toMatch(/empty|whitespace/);
    }
  });

  it('refuses non-strings', () => {
    for (const tag of [undefined, null, 42, true, {}, ['a'], Symbol('s')]) {
      const e = validationError(() => validateTag(tag));
      expect(e.message).toMatch(/must be a string/);
    }
  });

  it('reports the given field', () => {
    expect(validationError(() => validateTag('', 'tags[3]')).field).toBe('tags[3]');
  });
});

describe('validateTags', () => {
  it('de-duplicates, keeping the first occurrence and the order', () => {
    expect(validateTags(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
    expect(validateTags([])).toEqual([]);
  });

  it('accepts 50 distinct tags and refuses 51', () => {
    expect(validateTags(numbered(50))).toHaveLength(50);
    // Duplicates do not count against the limit.
    expect(validateTags([...numbered(50), ...numbered(50)])).toHaveLength(50);
    const e = validationError(() => validateTags(numbered(51)));
    expect(e.field).toBe('tags');
    expect(e.message).toContain('50');
  });

  it('validates every tag', () => {
    expect(() => validateTags(['ok', ' '])).toThrow(ValidationError);
    expect(() => validateTags(['ok', 'x'.repeat(501)])).toThrow(ValidationError);
    expect(() => validateTags(['ok', 7 as unknown as string])).toThrow(ValidationError);
    expect(() => validateTags('nightly' as unknown as string[])).toThrow(ValidationError);
  });
});

describe('applyTagMutation', () => {
  const run = (tags: string[], systemTags: string[] = ['user:bob', 'runtime:local']) => ({
    tags,
    systemTags,
  });

  it('adds and removes tags, keeping order and appending new tags in the order given', () => {
    expect(applyTagMutation(run(['a', 'b', 'c']), { add: ['e', 'd'], remove: ['b'] })).toEqual([
      'a',
      'c',
      'e',
      'd',
    ]);
    expect(applyTagMutation(run([]), { add: ['x'] })).toEqual(['x']);
    expect(applyTagMutation(run(['x']), { remove: ['x'] })).toEqual([]);
  });

  it('does not change its input', () => {
    const current = run(['a', 'b']);
    applyTagMutation(current, { add: ['c'], remove: ['a'] });
    expect(current).toEqual(run(['a', 'b']));
  });

  it('refuses a request that adds and removes nothing', () => {
    for (const change of [{}, { add: [] }, { remove: [] }, { add: [], remove: [] }]) {
      const e = validationError(() => applyTagMutation(run(['a']), change));
      expect(e.field).toBe('tags');
      expect(e.message).toMatch(/^Must add or remove at least one tag/);
    }
  });

  it('validates every added and removed tag', () => {
    expect(() => applyTagMutation(run([]), { add: ['ok', ''] })).toThrow(ValidationError);
    expect(() => applyTagMutation(run([]), { add: ['  '] })).toThrow(ValidationError);
    expect(() => applyTagMutation(run(['a']), { remove: ['x'.repeat(501)] })).toThrow(ValidationError);
    expect(applyTagMutation(run([]), { add: ['x'.repeat(500)] })).toEqual(['x'.repeat(500)]);
    expect(() => applyTagMutation(run([]), { add: [3 as unknown as string] })).toThrow(ValidationError);
    expect(() => applyTagMutation(run([]), { add: 'a' as unknown as string[] })).toThrow(ValidationError);
  });

  it('refuses the whole request when it removes a system tag', () => {
    const current = run(['a', 'b']);
    const e = validationError(() =>
      applyTagMutation(current, { add: ['c'], remove: ['a', 'user:bob', 'runtime:local'] }),
    );
    expect(e.field).toBe('tags');
    expect(e.message).toMatch(/^Cannot remove system tag\(s\) 'user:bob', 'runtime:local'/);
    expect(current).toEqual(run(['a', 'b']));
    // Also when the system tag happens to be a user tag too.
    expect(() => applyTagMutation(run(['user:bob']), { remove: ['user:bob'] })).toThrow(
      /Cannot remove system tag/,
    );
  });

  it('ignores adding a system tag', () => {
    expect(applyTagMutation(run(['a']), { add: ['user:bob'] })).toEqual(['a']);
    expect(applyTagMutation(run(['a']), { add: ['user:bob', 'b'] })).toEqual(['a', 'b']);
  });

  it('ignores removing an absent tag and adding a present one; never duplicates', () => {
    expect(applyTagMutation(run(['a', 'b']), { remove: ['zzz'] })).toEqual(['a', 'b']);
    expect(applyTagMutation(run(['a', 'b']), { add: ['a'] })).toEqual(['a', 'b']);
    expect(applyTagMutation(run(['a']), { add: ['b', 'b', 'a', 'b'] })).toEqual(['a', 'b']);
  });

  it('applies removals before additions', () => {
    // Remove then add of the same tag ends with it present (moved to the end).
    expect(applyTagMutation(run(['a', 'b']), { add: ['a'], remove: ['a'] })).toEqual(['b', 'a']);
    expect(applyTagMutation(run([]), { add: ['n'], remove: ['n'] })).toEqual(['n']);
  });

  it('allows 50 user tags and refuses 51', () => {
    expect(applyTagMutation(run(numbered(49)), { add: ['x'] })).toHaveLength(50);
    expect(applyTagMutation(run([]), { add: numbered(50) })).toHaveLength(50);
    const e = validationError(() => applyTagMutation(run(numbered(50)), { add: ['x'] }));
    expect(e.field).toBe('tags');
    expect(e.message).toContain('at most 50');
    expect(() => applyTagMutation(run([]), { add: numbered(51) })).toThrow(ValidationError);
    // Swapping one tag at the limit is fine; system tags do not count.
    expect(applyTagMutation(run(numbered(50)), { add: ['x'], remove: ['t0'] })).toHaveLength(50);
    expect(applyTagMutation(run(numbered(50), numbered(10, 'sys')), { add: ['sys1', 't3'] })).toHaveLength(
      50,
    );
  });

  it('lets an over-full tag set shrink or keep its size, but not grow', () => {
    const over = numbered(55);
    expect(applyTagMutation(run(over), { remove: ['t0', 't1'] })).toHaveLength(53);
    expect(applyTagMutation(run(over), { add: ['x'], remove: ['t0'] })).toHaveLength(55);
    expect(applyTagMutation(run(over), { add: ['t4'] })).toEqual(over);
    expect(() => applyTagMutation(run(over), { add: ['x'] })).toThrow(/at most 50/);
    expect(() => applyTagMutation(run(over), { add: ['x', 'y'], remove: ['t0'] })).toThrow(ValidationError);
  });
});
