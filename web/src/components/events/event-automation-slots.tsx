/**
 * SLOTS for the automations UI (issue 13 parts 3 and 4, built by another part): the event page
 * renders these where the "Automate" button and the automation firings this event caused belong.
 * They render nothing until that part fills them in; their props are what the page gives them.
 */
import type { FlowtrailEventRecord } from '../../api/client.ts';

export interface EventSlotProps {
  event: FlowtrailEventRecord;
}

/** The "Automate" action, in the event page's header: an automation prefilled from this event. */
export function AutomateSlot(_props: EventSlotProps): null {
  return null;
}

/** The automation firings (and their actions) this event caused, under "What it caused". */
export function AutomationFiringsSlot(_props: EventSlotProps): null {
  return null;
}
