/**
 * Action templates: LiquidJS, sandboxed and bounded. A template sees only the data handed to it
 * (`automation`, `event`, `labels`, `firing`), by own properties only; it cannot reach the file
 * system (`include`, `render` and `layout` are not tags here, and the engine's file system refuses
 * every read); parsing, rendering time, allocations and output size are limited. Templates are
 * checked when an automation is saved ({@link TemplateEngine.check}) and rendered when it fires.
 */

import type { FS } from 'liquidjs';
import { Liquid, Output, type Template } from 'liquidjs';
import { ValidationError } from '../core/errors.ts';
import type { Automation, TemplatedValue } from './model.ts';
import type { Firing } from './trigger-state.ts';

/** Bounds on one template. */
export interface TemplateLimits {
  /** Longest template text, in characters. */
  parseChars: number;
  /** Longest rendering, in ms (LiquidJS checks it between the nodes it renders). */
  renderMs: number;
  /** LiquidJS's allocation budget (ranges, joins, string building), in its units (~characters). */
  memory: number;
  /** Largest rendered output, as UTF-8 bytes (for a whole value: its JSON). */
  outputBytes: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  parseChars: 20_000,
  renderMs: 200,
  memory: 10_000_000,
  outputBytes: 256 * 1024,
};

/** What a template sees: plain JSON data. */
export interface TemplateContext {
  automation: { id: string; name: string; description: string; tags: string[] };
  /** The triggering event as JSON (dates as ISO strings), or null (a proactive firing saw none). */
  event: Record<string, unknown> | null;
  /** The firing's `forEach` label values. */
  labels: Record<string, string>;
  firing: { id: string; triggered: string; trigger: string; labels: Record<string, string> };
}

/**
 * What the templates of an automation's actions see for one firing.
 *
 * @example
 * engine.renderText('{{ automation.name }}: {{ event.event }}', firingContext(automation, firing), 'actions[0].body');
 */
export function firingContext(automation: Automation, firing: Firing): TemplateContext {
  return {
    automation: {
      id: automation.id,
      name: automation.name,
      description: automation.description,
      tags: [...automation.tags],
    },
    event: firing.event ? { ...firing.event } : null,
    labels: { ...firing.labels },
    firing: {
      id: firing.id,
      triggered: new Date(firing.triggered).toISOString(),
      trigger: firing.trigger,
      labels: { ...firing.labels },
    },
  };
}

/** A file system that has no files: the engine never reads the disk, even through a bug of ours. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Tags that load other templates from files. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

function sandboxed(limits: TemplateLimits, keepOutputType: boolean): Liquid {
  const liquid = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    timezoneOffset: 0,
    keepOutputType,
    parseLimit: limits.parseChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory,
  });
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  return liquid;
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** Turns what LiquidJS gives back into plain JSON (dates become ISO strings, undefined null). */
function toJSONValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

/**
 * The sandboxed template engine. One instance can be shared; it keeps no state between renders.
 *
 * @example
 * const engine = new TemplateEngine();
 * engine.check('Run {{ event.payload.run }} failed', 'actions[0].body');
 * engine.renderValue({ n: '{{ event.payload.n }}' }, context, 'actions[0].parameters'); // { n: 5 }
 */
export class TemplateEngine {
  readonly limits: TemplateLimits;
  readonly #text: Liquid;
  readonly #typed: Liquid;

  constructor(limits: Partial<TemplateLimits> = {}) {
    this.limits = { ...DEFAULT_TEMPLATE_LIMITS, ...limits };
    this.#text = sandboxed(this.limits, false);
    this.#typed = sandboxed(this.limits, true);
  }

  #parse(text: string, field: string): Template[] {
    if (text.length > this.limits.parseChars)
      throw new ValidationError(
        field,
        `The template at '${field}' is ${text.length} characters long; at most ${this.limits.parseChars} are allowed.`,
        { rule: 'template-length' },
      );
    try {
      return this.#text.parse(text);
    } catch (error) {
      throw new ValidationError(
        field,
        `The template at '${field}' does not parse: ${(error as Error).message}. Templates are LiquidJS without include, render or layout.`,
        { rule: 'template-syntax' },
      );
    }
  }

  /** Whether a template is one `{{ … }}` and nothing else, so it keeps its value's type. */
  #wholeValue(text: string, field: string): Template[] | undefined {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{{')) return undefined;
    const parsed = this.#parse(trimmed, field);
    return parsed.length === 1 && parsed[0] instanceof Output ? this.#typed.parse(trimmed) : undefined;
  }

  /**
   * Checks a template without rendering it.
   *
   * @throws ValidationError naming `field` when it does not parse or is too long.
   */
  check(text: string, field: string): void {
    this.#parse(text, field);
  }

  /** Checks every string inside a templated value (see {@link check}). */
  checkValue(value: TemplatedValue, field: string): void {
    forEachString(value, field, (text, path) => this.check(text, path));
  }

  #render(liquid: Liquid, templates: Template[], context: TemplateContext, field: string): unknown {
    try {
      return liquid.renderSync(templates, context as unknown as object);
    } catch (error) {
      const message = (error as Error).message;
      const rule = /template render limit/.test(message)
        ? 'render-time-limit'
        : /memory alloc limit/.test(message)
          ? 'memory-limit'
          : 'render-error';
      throw new ValidationError(field, `Rendering the template at '${field}' failed: ${message}.`, {
        rule,
      });
    }
  }

  #checkOutput(size: number, field: string): void {
    if (size > this.limits.outputBytes)
      throw new ValidationError(
        field,
        `The template at '${field}' rendered ${size} bytes; at most ${this.limits.outputBytes} are allowed.`,
        { rule: 'output-limit', size, limit: this.limits.outputBytes },
      );
  }

  /**
   * Renders a template as text.
   *
   * @throws ValidationError naming `field` (details.rule: `render-time-limit`, `memory-limit`,
   * `output-limit`, `render-error`, `template-syntax`).
   */
  renderText(text: string, context: TemplateContext, field: string): string {
    const out = String(this.#render(this.#text, this.#parse(text, field), context, field) ?? '');
    this.#checkOutput(byteLength(out), field);
    return out;
  }

  /**
   * Renders every string of a templated value. A string that is one `{{ … }}` keeps its value's
   * type (`'{{ event.payload.n }}'` with n = 5 gives 5, an object stays an object, a missing value
   * gives null); other strings render as text. The output limit applies to the whole result.
   */
  renderValue(value: TemplatedValue, context: TemplateContext, field: string): unknown {
    const out = this.#renderNode(value, context, field);
    this.#checkOutput(byteLength(JSON.stringify(out)), field);
    return out;
  }

  #renderNode(value: TemplatedValue, context: TemplateContext, field: string): unknown {
    if (typeof value === 'string') {
      const whole = this.#wholeValue(value, field);
      if (whole) return toJSONValue(this.#render(this.#typed, whole, context, field));
      return this.renderText(value, context, field);
    }
    if (Array.isArray(value)) return value.map((v, i) => this.#renderNode(v, context, `${field}[${i}]`));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.#renderNode(v, context, `${field}.${k}`);
      return out;
    }
    return value;
  }
}

/** Calls `visit` with every string inside a templated value and its field path. */
function forEachString(
  value: TemplatedValue,
  field: string,
  visit: (text: string, field: string) => void,
): void {
  if (typeof value === 'string') visit(value, field);
  else if (Array.isArray(value))
    for (const [i, v] of value.entries()) forEachString(v, `${field}[${i}]`, visit);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) forEachString(v, `${field}.${k}`, visit);
}
