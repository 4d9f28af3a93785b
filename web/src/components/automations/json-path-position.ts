/**
 * Where a validation path (`trigger.triggers[1].threshold`, `actions[0].event`) sits in JSON text
 * the user wrote, so the editor can mark that line. The text is scanned as it is (not re-printed),
 * keeping the user's layout; a path that does not exist (a missing field) lands on its deepest
 * existing parent.
 */

export interface TextSpan {
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
  /** False when only a parent of the path was found. */
  exact: boolean;
}

/** `trigger.triggers[1].threshold` → `['trigger', 'triggers', 1, 'threshold']`. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''));
  return out;
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skip(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  /** Skips one value, returning its end. */
  value(): number {
    this.skip();
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.pos++;
      this.skip();
      if (this.text[this.pos] === close) return ++this.pos;
      for (;;) {
        if (c === '{') {
          this.string();
          this.skip();
          this.pos++; // ':'
        }
        this.value();
        this.skip();
        if (this.text[this.pos++] === close) return this.pos;
      }
    }
    if (c === '"') return this.string();
    while (this.pos < this.text.length && !/[\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
    return this.pos;
  }
  string(): number {
    this.skip();
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"')
      this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    return ++this.pos;
  }
  /** With the position at a container's opening: moves to the value at `key`, or returns false. */
  enter(key: string | number): { keyStart: number } | false {
    this.skip();
    const c = this.text[this.pos];
    if ((c === '{') !== (typeof key === 'string') || (c !== '{' && c !== '[')) return false;
    const close = c === '{' ? '}' : ']';
    this.pos++;
    this.skip();
    if (this.text[this.pos] === close) return false;
    for (let index = 0; ; index++) {
      this.skip();
      const keyStart = this.pos;
      if (c === '{') {
        const end = this.string();
        const name = JSON.parse(this.text.slice(keyStart, end)) as string;
        this.skip();
        this.pos++; // ':'
        if (name === key) {
          this.skip();
          return { keyStart };
        }
      } else if (index === key) {
        this.skip();
        return { keyStart };
      }
      this.value();
      this.skip();
      if (this.text[this.pos++] === close) return false;
    }
  }
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** The span of `path` in `text` (valid JSON), or of its deepest existing parent. */
export function locateJsonPath(text: string, path: string): TextSpan {
  const s = new Scanner(text);
  s.skip();
  let start = s.pos;
  let exact = true;
  for (const key of parsePath(path)) {
    const at = s.pos;
    const found = s.enter(key);
    if (!found) {
      s.pos = at;
      exact = false;
      break;
    }
    start = found.keyStart;
  }
  const valueStart = s.pos;
  const end = exact ? s.value() : Math.min(text.length, valueStart + 1);
  return { start, end, line: lineOf(text, start), exact };
}
