/**
 * Turns an automation given as JSON (the HTTP API, a file for the CLI, code) into an
 * {@link Automation}, or throws a `ValidationError` whose `field` is the path of the first field
 * at fault (`trigger.triggers[1].threshold`, `actions[0].parameters.n`) and whose message (and
 * `details.rule`) names the rule. Unknown keys are refused everywhere; templates are parsed; the
 * loop guard runs last. A validated automation, written as JSON, validates again to itself.
 */
import { ValidationError } from '../core/errors.ts';
import { validateTag } from '../core/tags.ts';
import { checkEventId, newEventId } from '../events/event-id.ts';
import { booleanAt, listAt, objectAt, onlyKeys, stringAt } from './json-fields.ts';
import { checkRunLoops } from './loop-guard.ts';
import type { Automation, AutomationAction } from './model.ts';
import { TemplateEngine } from './templates.ts';
import { actionAt } from './validate-action.ts';
import { triggerAt } from './validate-trigger.ts';

const KEYS = [
  'id',
  'name',
  'description',
  'enabled',
  'tags',
  'trigger',
  'actions',
  'actionsOnTrigger',
  'actionsOnResolve',
  'ownerResource',
];

const MAX_ACTIONS = 20;

/** The engine with the default limits, made on first use (LiquidJS setup is not free). */
let defaultTemplates: TemplateEngine | undefined;
function defaultEngine(): TemplateEngine {
  defaultTemplates ??= new TemplateEngine();
  return defaultTemplates;
}

export interface ValidateAutomationOptions {
  /** The engine whose limits templates are checked against (default: the default limits). */
  templates?: TemplateEngine;
}

/**
 * Checks an automation and returns it normalized: defaults filled (`description` '', `enabled`
 * true, `tags` [], reactive `withinMs` 0, `threshold` 1…), durations in ms, a new UUIDv7 `id`
 * when none is given.
 *
 * @throws ValidationError naming the field path and the rule.
 *
 * @example
 * validateAutomation({
 *   name: 'retry failed nightly',
 *   trigger: { type: 'event', expect: ['flowtrail.run.failed'], match: { 'flowtrail.resource.id': 'flowtrail.run.NightlyFlow/*' } },
 *   actions: [{ type: 'run-deployment', deployment: 'NightlyFlow' }],
 * });
 */
export function validateAutomation(input: unknown, options: ValidateAutomationOptions = {}): Automation {
  const templates = options.templates ?? defaultEngine();
  const obj = objectAt(input, 'automation');
  onlyKeys(obj, KEYS, 'automation');
  if (obj.trigger === undefined)
    throw new ValidationError('trigger', "The automation needs a 'trigger': what to react to.", {
      rule: 'required',
    });
  if (obj.actions === undefined)
    throw new ValidationError(
      'actions',
      "The automation needs 'actions' (a list; [{ type: 'do-nothing' }] to only record firings).",
      {
        rule: 'required',
      },
    );
  const actions = (key: string): AutomationAction[] =>
    obj[key] === undefined
      ? []
      : listAt(obj[key], key, { max: MAX_ACTIONS }).map((a, i) => actionAt(a, `${key}[${i}]`, templates));
  const automation: Automation = {
    id: obj.id === undefined ? newEventId() : checkEventId(obj.id, 'id', "The automation 'id'"),
    name: stringAt(obj.name, 'name', { max: 200 }),
    description:
      obj.description === undefined
        ? ''
        : stringAt(obj.description, 'description', { max: 5000, empty: true }),
    enabled: obj.enabled === undefined ? true : booleanAt(obj.enabled, 'enabled'),
    tags:
      obj.tags === undefined
        ? []
        : [...new Set(listAt(obj.tags, 'tags', { max: 50 }).map((t, i) => validateTag(t, `tags[${i}]`)))],
    trigger: triggerAt(obj.trigger, 'trigger'),
    actions: actions('actions'),
    actionsOnTrigger: actions('actionsOnTrigger'),
    actionsOnResolve: actions('actionsOnResolve'),
    ownerResource:
      obj.ownerResource === undefined || obj.ownerResource === null
        ? null
        : stringAt(obj.ownerResource, 'ownerResource', { max: 1024 }),
  };
  if (
    automation.actions.length + automation.actionsOnTrigger.length + automation.actionsOnResolve.length ===
    0
  )
    throw new ValidationError(
      'actions',
      "The automation has no action; add one (e.g. { type: 'do-nothing' } to only record firings).",
      {
        rule: 'min-length',
      },
    );
  checkRunLoops(automation);
  return automation;
}
