/**
 * The automations parts of the event page: the "Automate" button in its header, and under
 * "What it caused" the automation firings (with their actions) this event took part in.
 */
import type { FlowtrailEventRecord } from '../../api/client.ts';
import { AutomateButton } from '../automations/automate-button.tsx';
import { EventFirings } from '../automations/event-firings.tsx';

export interface EventSlotProps {
  event: FlowtrailEventRecord;
}

/** The "Automate" action, in the event page's header: an automation prefilled from this event. */
export function AutomateSlot({ event }: EventSlotProps) {
  return <AutomateButton eventId={event.id} />;
}

/** The automation firings (and their actions) this event caused, under "What it caused". */
export function AutomationFiringsSlot({ event }: EventSlotProps) {
  return (
    <>
      <h3>Automation firings</h3>
      <EventFirings eventId={event.id} />
    </>
  );
}
