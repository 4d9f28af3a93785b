/**
 * `AppendWatch` for PostgreSQL: a statement trigger on `events` (migration 13) sends
 * `NOTIFY flowtrail_events, '<schema>'`, which PostgreSQL delivers when the inserting transaction
 * commits, to every server listening on that database. One dedicated connection LISTENs; when it
 * drops (a database restart) it reconnects with backoff and signals once, since appends may have
 * been missed meanwhile.
 */
import pg from 'pg';
import { AppendSignal, type AppendWatch } from '../../append-watch.ts';

export const EVENTS_CHANNEL = 'flowtrail_events';

export function postgresAppendWatch(url: string, schema: string | undefined): AppendWatch {
  const wanted = schema ?? 'public';
  let client: pg.Client | undefined;
  let stopped = true;
  let retry: NodeJS.Timeout | undefined;
  let backoff = 100;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    c.on('notification', (n) => {
      if (n.channel === EVENTS_CHANNEL && (n.payload ?? wanted) === wanted) signal.notify();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
      backoff = 100;
      signal.notify();
    } catch {
      reconnect(c);
    }
  };
  const reconnect = (c: pg.Client): void => {
    if (stopped || client !== c) return;
    client = undefined;
    void c.end().catch(() => {});
    retry = setTimeout(() => void connect(), backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, 5000);
  };
  const signal: AppendSignal = new AppendSignal(
    () => {
      stopped = false;
      void connect();
    },
    () => {
      stopped = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      void c?.end().catch(() => {});
    },
  );
  return signal;
}
