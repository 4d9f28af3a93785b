/**
 * The editor's form for the common cases: name, description, enabled, tags; an event trigger
 * (the events it expects, the resource id it matches, presence or absence, how many, the window);
 * the actions. Anything else (compound and sequence triggers, more label conditions, related
 * resources, actions on trigger or resolve) stays as it is and is edited in the JSON editor.
 */
import { useState } from 'react';
import { ActionFields, actionFieldPaths, newAction } from './action-fields.tsx';
import { windowText } from './automation-summary.ts';
import type { AutomationAction, AutomationInput, EventTrigger } from './automation-types.ts';
import { RESOURCE_ID } from './automation-types.ts';
import { FieldProblem } from './field-problem.tsx';
import { Field, ListInput, type Shown, TextInput } from './form-inputs.tsx';

const TRIGGER_PATHS = ['expect', 'match', 'posture', 'threshold', 'within', 'withinMs'];

/** Every path the form has an input for, given the draft's shape. */
export function formFieldPaths(draft: AutomationInput): string[] {
  const paths = ['name', 'description', 'enabled', 'tags', 'actions'];
  // An event trigger's other fields (after, forEach, matchRelated…) have no input: the editor
  // then points to the JSON editor. A composite trigger is shown whole, in one place.
  if (draft.trigger.type === 'event') paths.push(...TRIGGER_PATHS.map((k) => `trigger.${k}`));
  else paths.push('trigger');
  draft.actions.forEach((a, i) => {
    paths.push(...actionFieldPaths(a, `actions[${i}]`));
  });
  return paths;
}

/** A window typed as text: digits are seconds, anything else a duration the API reads ('10m'). */
function windowValue(text: string): string | number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function EventTriggerFields({
  trigger,
  shown,
  onChange,
}: {
  trigger: EventTrigger;
  shown: Shown;
  onChange(trigger: EventTrigger): void;
}) {
  const proactive = trigger.posture === 'proactive';
  const resource = trigger.match?.[RESOURCE_ID];
  const otherLabels = Object.keys(trigger.match ?? {}).filter((k) => k !== RESOURCE_ID).length;
  const withWindow = (text: string): EventTrigger => {
    const { within: _w, withinMs: _m, ...rest } = trigger;
    const within = windowValue(text);
    return within === undefined ? rest : { ...rest, within };
  };
  return (
    <div className="trigger-fields">
      <div className="field" data-field="trigger.posture">
        <span className="field-label">Fire on</span>
        <div className="posture-choice" role="radiogroup" aria-label="Fire on">
          <label>
            <input
              type="radio"
              name="posture"
              value="presence"
              checked={!proactive}
              onChange={() => onChange({ ...withWindow('0'), posture: 'reactive' })}
            />{' '}
            <strong>Presence</strong> — matching events arrive
          </label>
          <label>
            <input
              type="radio"
              name="posture"
              value="absence"
              checked={proactive}
              onChange={() => onChange({ ...withWindow('10m'), posture: 'proactive' })}
            />{' '}
            <strong>Absence</strong> — no matching event arrives within the window
          </label>
        </div>
        <FieldProblem path="trigger.posture" problem={shown.problem} at={shown.at} />
      </div>
      <Field label="Events (names or globs, comma-separated)" path="trigger.expect" shown={shown}>
        {(id) => (
          <ListInput
            id={id}
            value={trigger.expect}
            placeholder="dataset.refreshed, flowtrail.run.*"
            onChange={(expect) => onChange({ ...trigger, expect })}
          />
        )}
      </Field>
      <Field
        label="Resource id (glob; empty: any resource)"
        path="trigger.match"
        shown={shown}
        hint={otherLabels > 0 ? `and ${otherLabels} more label condition(s), in the JSON editor` : undefined}
      >
        {(id) => (
          <TextInput
            id={id}
            value={Array.isArray(resource) ? resource.join(', ') : (resource ?? '')}
            onChange={(v) => {
              const { [RESOURCE_ID]: _r, ...labels } = trigger.match ?? {};
              onChange({ ...trigger, match: v.trim() === '' ? labels : { ...labels, [RESOURCE_ID]: v } });
            }}
          />
        )}
      </Field>
      <div className="field-row">
        <Field
          label={proactive ? 'At least this many events' : 'Fire after this many events'}
          path="trigger.threshold"
          shown={shown}
        >
          {(id) => (
            <input
              id={id}
              type="number"
              value={trigger.threshold ?? 1}
              onChange={(e) => onChange({ ...trigger, threshold: Number(e.target.value) })}
            />
          )}
        </Field>
        <Field
          label={proactive ? 'Within (at least 10s)' : 'Within (0: every match)'}
          path="trigger.within"
          extraPaths={['trigger.withinMs']}
          shown={shown}
          hint="e.g. 30s, 10m, 1h30m; digits are seconds"
        >
          {(id) => (
            <input
              id={id}
              // Remounted when the posture switch sets a new window.
              key={trigger.posture ?? 'reactive'}
              type="text"
              defaultValue={
                trigger.within === undefined && trigger.withinMs === undefined
                  ? ''
                  : windowText(trigger.within, trigger.withinMs)
              }
              onChange={(e) => onChange(withWindow(e.target.value))}
            />
          )}
        </Field>
      </div>
    </div>
  );
}

export function AutomationForm({
  draft,
  shown,
  deployments,
  automations,
  draftedName,
  onChange,
}: {
  draft: AutomationInput;
  shown: Shown;
  deployments: readonly string[];
  automations: readonly { id: string; name: string }[];
  /** The name drafted from an event (presence): while untouched, Absence makes it `no …`. */
  draftedName?: string;
  onChange(draft: AutomationInput): void;
}) {
  const onTrigger = (trigger: EventTrigger) => {
    let { name } = draft;
    const absent = `no ${draftedName}`;
    const before = draft.trigger.type === 'event' ? draft.trigger.posture : undefined;
    if (draftedName !== undefined && trigger.posture !== before) {
      if (trigger.posture === 'proactive' && name === draftedName) name = absent;
      else if (trigger.posture !== 'proactive' && name === absent) name = draftedName;
    }
    onChange({ ...draft, name, trigger });
  };
  const setActions = (actions: AutomationAction[]) => onChange({ ...draft, actions });
  // Bumped when an action is removed, so the inputs below it (which keep their typed text) remount.
  const [generation, setGeneration] = useState(0);
  return (
    <div className="automation-form">
      <Field label="Name" path="name" shown={shown}>
        {(id) => <TextInput id={id} value={draft.name} onChange={(name) => onChange({ ...draft, name })} />}
      </Field>
      <Field label="Description" path="description" shown={shown}>
        {(id) => (
          <TextInput
            id={id}
            value={draft.description ?? ''}
            onChange={(description) => onChange({ ...draft, description })}
          />
        )}
      </Field>
      <div className="field-row">
        <Field label="Tags (comma-separated)" path="tags" shown={shown}>
          {(id) => (
            <ListInput id={id} value={draft.tags ?? []} onChange={(tags) => onChange({ ...draft, tags })} />
          )}
        </Field>
        <Field label="Enabled" path="enabled" shown={shown}>
          {(id) => (
            <input
              id={id}
              type="checkbox"
              checked={draft.enabled ?? true}
              onChange={(e) => onChange({ ...draft, enabled: e.target.checked })}
            />
          )}
        </Field>
      </div>

      <h3>Trigger</h3>
      <FieldProblem path="trigger" problem={shown.problem} at={shown.at} />
      {draft.trigger.type === 'event' ? (
        <EventTriggerFields trigger={draft.trigger} shown={shown} onChange={onTrigger} />
      ) : (
        <div className="empty">
          A {draft.trigger.type} trigger of {draft.trigger.triggers.length} triggers: edit it in the JSON
          editor.
        </div>
      )}

      <h3>Actions</h3>
      <FieldProblem path="actions" problem={shown.problem} at={shown.at} />
      {draft.actions.map((action, i) => (
        <ActionFields
          // Position is the action's identity here (the list is edited in place; removal remounts).
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          key={`${generation}-${i}`}
          action={action}
          field={`actions[${i}]`}
          shown={shown}
          deployments={deployments}
          automations={automations}
          onChange={(a) => setActions(draft.actions.map((x, j) => (j === i ? a : x)))}
          onRemove={() => {
            setGeneration((g) => g + 1);
            setActions(draft.actions.filter((_, j) => j !== i));
          }}
        />
      ))}
      <button type="button" onClick={() => setActions([...draft.actions, newAction('emit-event')])}>
        Add action
      </button>
    </div>
  );
}
