/**
 * Checks one action given as JSON and returns it normalized. Templates are parsed here, when the
 * automation is saved, so a syntax error is a `ValidationError` naming the field, never a surprise
 * at the first firing. Targets that need the stores (does the deployment exist?) are checked by
 * the caller that has them.
 */
import { SECOND_MS } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';
import { isValidFlowName, parsePathspec, pathspecLevel } from '../core/pathspec.ts';
import { describeValue, labelPath } from '../events/describe-value.ts';
import { checkEventId } from '../events/event-id.ts';
import { checkEventName } from '../events/event-name.ts';
import { RESOURCE_ID, RESOURCE_ROLE } from '../events/model.ts';
import {
  durationAt,
  integerAt,
  type JSONObject,
  listAt,
  objectAt,
  onlyKeys,
  stringAt,
} from './json-fields.ts';
import type { AutomationAction, TemplatedValue, WebhookMethod } from './model.ts';
import type { TemplateEngine } from './templates.ts';

const METHODS: readonly WebhookMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_WEBHOOK_RETRIES = 5;
const MAX_WEBHOOK_TIMEOUT_MS = 60 * SECOND_MS;

/** Whether a text has template markup (otherwise it can be checked as the literal it will be). */
const isTemplated = (text: string) => text.includes('{{') || text.includes('{%');

function flowName(value: unknown, field: string): string {
  const name = stringAt(value, field, { max: 200 });
  if (!isValidFlowName(name))
    throw new ValidationError(
      field,
      `'${field}' must name a deployment by its flow's name (letters, digits, _; e.g. 'NightlyFlow'), got ${JSON.stringify(name)}.`,
      { rule: 'flow-name' },
    );
  return name;
}

function jsonValue(value: unknown, field: string): TemplatedValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ValidationError(field, `'${field}' must be a finite number.`, { rule: 'type' });
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, `${field}[${i}]`));
  const obj = objectAt(value, field);
  const out: Record<string, TemplatedValue> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = jsonValue(v, `${field}.${k}`);
  return out;
}

function templatedObject(
  value: unknown,
  field: string,
  templates: TemplateEngine,
): Record<string, TemplatedValue> {
  const out = jsonValue(objectAt(value, field), field) as Record<string, TemplatedValue>;
  templates.checkValue(out, field);
  return out;
}

/** A resource of an emitted event: label → template, with an id (and, if related, a role). */
function resourceTemplate(
  value: unknown,
  field: string,
  templates: TemplateEngine,
  role: boolean,
): Record<string, string> {
  const obj = objectAt(value, field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const path = labelPath(field, k);
    out[k] = stringAt(v, path, { max: 10_000, empty: true });
    templates.check(out[k], path);
  }
  for (const required of role ? [RESOURCE_ID, RESOURCE_ROLE] : [RESOURCE_ID])
    if (!out[required])
      throw new ValidationError(labelPath(field, required), `'${field}' needs the label '${required}'.`, {
        rule: 'required',
      });
  return out;
}

function webhookUrl(value: unknown, field: string): string {
  const text = stringAt(value, field, { max: 2000 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(
      field,
      `'${field}' must be an absolute http(s) URL, got ${JSON.stringify(text)}.`,
      {
        rule: 'url',
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError(field, `'${field}' must use http or https, got '${url.protocol}'.`, {
      rule: 'url',
    });
  return text;
}

function optional<T>(value: unknown, read: (v: unknown) => T): T | null {
  return value === undefined || value === null ? null : read(value);
}

/**
 * Checks one action at `field` (e.g. `actions[0]`).
 *
 * @throws ValidationError naming the path, e.g. `actions[0].parameters.n` for a template that does not parse.
 */
export function actionAt(value: unknown, field: string, templates: TemplateEngine): AutomationAction {
  const obj: JSONObject = objectAt(value, field);
  const type = obj.type;
  switch (type) {
    case 'run-deployment':
      onlyKeys(obj, ['type', 'deployment', 'parameters'], field);
      return {
        type,
        deployment: flowName(obj.deployment, `${field}.deployment`),
        parameters:
          obj.parameters === undefined
            ? {}
            : templatedObject(obj.parameters, `${field}.parameters`, templates),
      };
    case 'emit-event': {
      onlyKeys(obj, ['type', 'event', 'resource', 'related', 'payload'], field);
      const event = stringAt(obj.event, `${field}.event`, { max: 1024 });
      if (isTemplated(event)) templates.check(event, `${field}.event`);
      else
        try {
          checkEventName(event, false);
        } catch (error) {
          throw new ValidationError(`${field}.event`, (error as Error).message, { rule: 'event-name' });
        }
      return {
        type,
        event,
        resource: resourceTemplate(obj.resource, `${field}.resource`, templates, false),
        related:
          obj.related === undefined
            ? []
            : listAt(obj.related, `${field}.related`, { max: 100 }).map((r, i) =>
                resourceTemplate(r, `${field}.related[${i}]`, templates, true),
              ),
        payload: obj.payload === undefined ? {} : templatedObject(obj.payload, `${field}.payload`, templates),
      };
    }
    case 'call-webhook': {
      onlyKeys(
        obj,
        ['type', 'url', 'method', 'headersSecret', 'body', 'timeout', 'timeoutMs', 'retries'],
        field,
      );
      const method = obj.method ?? 'POST';
      if (!METHODS.includes(method as WebhookMethod))
        throw new ValidationError(
          `${field}.method`,
          `'${field}.method' must be one of ${METHODS.join(', ')}, got ${describeValue(method)}.`,
          {
            rule: 'enum',
          },
        );
      const headersSecret = optional(obj.headersSecret, (v) => {
        const name = stringAt(v, `${field}.headersSecret`, { max: 100 });
        if (!SECRET_NAME.test(name))
          throw new ValidationError(
            `${field}.headersSecret`,
            `'${field}.headersSecret' must be a secret's name (letters, digits, _ . -).`,
            {
              rule: 'secret-name',
            },
          );
        return name;
      });
      const body = optional(obj.body, (v) => {
        const text = stringAt(v, `${field}.body`, { max: 100_000, empty: true });
        templates.check(text, `${field}.body`);
        return text;
      });
      if (method === 'GET' && body !== null)
        throw new ValidationError(
          `${field}.body`,
          `A GET request carries no body; remove '${field}.body' or use POST.`,
          {
            rule: 'get-body',
          },
        );
      const timeoutMs = durationAt(obj, 'timeout', field, 10 * SECOND_MS, { zero: false })!;
      if (timeoutMs > MAX_WEBHOOK_TIMEOUT_MS)
        throw new ValidationError(`${field}.timeout`, `'${field}.timeout' is at most 60 s.`, {
          rule: 'range',
        });
      return {
        type,
        url: webhookUrl(obj.url, `${field}.url`),
        method: method as WebhookMethod,
        headersSecret,
        body,
        timeoutMs,
        retries:
          obj.retries === undefined ? 2 : integerAt(obj.retries, `${field}.retries`, 0, MAX_WEBHOOK_RETRIES),
      };
    }
    case 'pause-deployment':
    case 'resume-deployment':
      onlyKeys(obj, ['type', 'deployment'], field);
      return { type, deployment: optional(obj.deployment, (v) => flowName(v, `${field}.deployment`)) };
    case 'pause-automation':
    case 'resume-automation':
      onlyKeys(obj, ['type', 'automation'], field);
      return {
        type,
        automation: optional(obj.automation, (v) =>
          checkEventId(v, `${field}.automation`, `'${field}.automation'`),
        ),
      };
    case 'cancel-run':
      onlyKeys(obj, ['type', 'run'], field);
      return {
        type,
        run: optional(obj.run, (v) => {
          const run = stringAt(v, `${field}.run`, { max: 1000 });
          if (isTemplated(run)) templates.check(run, `${field}.run`);
          else {
            let level: string;
            try {
              level = pathspecLevel(parsePathspec(run));
            } catch (error) {
              throw new ValidationError(`${field}.run`, (error as Error).message, { rule: 'pathspec' });
            }
            if (level !== 'run')
              throw new ValidationError(
                `${field}.run`,
                `'${field}.run' must be a run's pathspec such as 'NightlyFlow/12', got '${run}'.`,
                {
                  rule: 'pathspec',
                },
              );
          }
          return run;
        }),
      };
    case 'do-nothing':
      onlyKeys(obj, ['type'], field);
      return { type };
    default:
      throw new ValidationError(
        `${field}.type`,
        `'${field}.type' must be one of run-deployment, emit-event, call-webhook, pause-deployment, resume-deployment, pause-automation, resume-automation, cancel-run, do-nothing; got ${describeValue(type)}.`,
        { rule: 'enum' },
      );
  }
}
