/**
 * One action in the editor form: its type and the fields of that type (every action kind the
 * engine runs). An empty optional target (deployment, automation, run) is sent as absent: the
 * engine then infers it from the firing (`docs/automations.md`).
 */
import type { ReactNode } from 'react';
import { ACTION_TYPES, type ActionType, type AutomationAction, RESOURCE_ID } from './automation-types.ts';
import { FieldProblem } from './field-problem.tsx';
import { Field, JsonObjectInput, type Shown, TextInput } from './form-inputs.tsx';

/** A new action of `type` with its required fields empty (the API names what is missing). */
export function newAction(type: ActionType): AutomationAction {
  switch (type) {
    case 'emit-event':
      return { type, event: '', resource: { [RESOURCE_ID]: '' } };
    case 'run-deployment':
      return { type, deployment: '' };
    case 'call-webhook':
      return { type, url: '', method: 'POST' };
    case 'pause-deployment':
    case 'resume-deployment':
      return { type };
    case 'pause-automation':
    case 'resume-automation':
      return { type };
    case 'cancel-run':
      return { type };
    case 'do-nothing':
      return { type };
  }
}

/** The paths this action's inputs stand for. */
export function actionFieldPaths(action: AutomationAction, field: string): string[] {
  const own: Record<ActionType, string[]> = {
    'emit-event': ['event', 'resource', 'payload'],
    'run-deployment': ['deployment', 'parameters'],
    'call-webhook': ['url', 'method', 'headersSecret', 'body'],
    'pause-deployment': ['deployment'],
    'resume-deployment': ['deployment'],
    'pause-automation': ['automation'],
    'resume-automation': ['automation'],
    'cancel-run': ['run'],
    'do-nothing': [],
  };
  return [field, `${field}.type`, ...own[action.type].map((k) => `${field}.${k}`)];
}

/** `value`, or the key dropped when empty. */
function optional<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value.trim() === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

export function ActionFields({
  action,
  field,
  shown,
  deployments,
  automations,
  onChange,
  onRemove,
}: {
  action: AutomationAction;
  /** `actions[2]` */
  field: string;
  shown: Shown;
  deployments: readonly string[];
  automations: readonly { id: string; name: string }[];
  onChange(action: AutomationAction): void;
  onRemove(): void;
}) {
  const listId = `${field}-targets`;
  const at = (k: string) => `${field}.${k}`;
  let body: ReactNode = null;
  switch (action.type) {
    case 'emit-event':
      body = (
        <>
          <Field
            label="Event name"
            path={at('event')}
            shown={shown}
            hint="A template: {{ event.event }} works."
          >
            {(id) => (
              <TextInput id={id} value={action.event} onChange={(event) => onChange({ ...action, event })} />
            )}
          </Field>
          <Field label="Resource id" path={at('resource')} shown={shown}>
            {(id) => (
              <TextInput
                id={id}
                value={action.resource[RESOURCE_ID] ?? ''}
                onChange={(v) => onChange({ ...action, resource: { ...action.resource, [RESOURCE_ID]: v } })}
              />
            )}
          </Field>
          <Field label="Payload (JSON object)" path={at('payload')} shown={shown}>
            {(id) => (
              <JsonObjectInput
                id={id}
                value={action.payload}
                onChange={(payload) => onChange({ ...action, payload })}
              />
            )}
          </Field>
        </>
      );
      break;
    case 'run-deployment':
      body = (
        <>
          <Field label="Deployment" path={at('deployment')} shown={shown}>
            {(id) => (
              <>
                <input
                  id={id}
                  list={listId}
                  value={action.deployment}
                  onChange={(e) => onChange({ ...action, deployment: e.target.value })}
                />
                <datalist id={listId}>
                  {deployments.map((d) => (
                    <option key={d} value={d} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Parameters (JSON object)" path={at('parameters')} shown={shown}>
            {(id) => (
              <JsonObjectInput
                id={id}
                value={action.parameters}
                onChange={(parameters) => onChange({ ...action, parameters })}
              />
            )}
          </Field>
        </>
      );
      break;
    case 'call-webhook':
      body = (
        <>
          <Field label="URL" path={at('url')} shown={shown}>
            {(id) => (
              <TextInput id={id} value={action.url} onChange={(url) => onChange({ ...action, url })} />
            )}
          </Field>
          <Field label="Method" path={at('method')} shown={shown}>
            {(id) => (
              <select
                id={id}
                value={action.method ?? 'POST'}
                onChange={(e) => onChange({ ...action, method: e.target.value as typeof action.method })}
              >
                {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Headers secret (name)" path={at('headersSecret')} shown={shown}>
            {(id) => (
              <TextInput
                id={id}
                value={action.headersSecret ?? ''}
                onChange={(v) => {
                  const { headersSecret: _h, ...rest } = action;
                  onChange({ ...rest, ...optional('headersSecret', v) });
                }}
              />
            )}
          </Field>
          <Field label="Body (template)" path={at('body')} shown={shown}>
            {(id) => (
              <textarea
                id={id}
                className="mono"
                rows={3}
                value={action.body ?? ''}
                onChange={(e) => {
                  const { body: _b, ...rest } = action;
                  onChange({ ...rest, ...optional('body', e.target.value) });
                }}
              />
            )}
          </Field>
        </>
      );
      break;
    case 'pause-deployment':
    case 'resume-deployment':
      body = (
        <Field
          label="Deployment"
          path={at('deployment')}
          shown={shown}
          hint="Empty: the deployment the event names."
        >
          {(id) => (
            <>
              <input
                id={id}
                list={listId}
                value={action.deployment ?? ''}
                onChange={(e) => onChange({ type: action.type, ...optional('deployment', e.target.value) })}
              />
              <datalist id={listId}>
                {deployments.map((d) => (
                  <option key={d} value={d} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      );
      break;
    case 'pause-automation':
    case 'resume-automation':
      body = (
        <Field
          label="Automation (id)"
          path={at('automation')}
          shown={shown}
          hint="Empty: the automation the event names."
        >
          {(id) => (
            <select
              id={id}
              value={action.automation ?? ''}
              onChange={(e) => onChange({ type: action.type, ...optional('automation', e.target.value) })}
            >
              <option value="">(inferred from the event)</option>
              {automations.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
              {action.automation && !automations.some((a) => a.id === action.automation) ? (
                <option value={action.automation}>{action.automation}</option>
              ) : null}
            </select>
          )}
        </Field>
      );
      break;
    case 'cancel-run':
      body = (
        <Field label="Run (FLOW/N)" path={at('run')} shown={shown} hint="Empty: the run the event names.">
          {(id) => (
            <TextInput
              id={id}
              value={action.run ?? ''}
              placeholder="ETLFlow/12"
              onChange={(v) => onChange({ type: action.type, ...optional('run', v) })}
            />
          )}
        </Field>
      );
      break;
    case 'do-nothing':
      body = <div className="field-hint">Records the firing, does nothing else.</div>;
      break;
  }
  return (
    <fieldset className="action-fields" data-field={field}>
      <legend>
        <select
          aria-label="Action type"
          value={action.type}
          onChange={(e) => onChange(newAction(e.target.value as ActionType))}
        >
          {ACTION_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>{' '}
        <button type="button" className="link-button" onClick={onRemove}>
          Remove
        </button>
      </legend>
      <FieldProblem path={field} problem={shown.problem} at={shown.at} />
      <FieldProblem path={`${field}.type`} problem={shown.problem} at={shown.at} />
      {body}
    </fieldset>
  );
}
