/**
 * SQLite migration history. Append only: a shipped migration never changes; a new one gets the next id.
 */
import type { SqlMigration } from '../sql-migration.ts';

export const sqliteMigrations: SqlMigration[] = [
  {
    id: 1,
    name: 'initial',
    statements: [
      `CREATE TABLE flows (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        last_run_number INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow_name TEXT NOT NULL REFERENCES flows(name),
        run_number INTEGER NOT NULL,
        status TEXT NOT NULL,
        user_name TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        system_tags TEXT NOT NULL DEFAULT '[]',
        params TEXT NOT NULL DEFAULT '{}',
        flow_file TEXT,
        code_sha TEXT,
        origin_run_number INTEGER,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        heartbeat_at INTEGER,
        orchestrator_pid INTEGER,
        orchestrator_host TEXT,
        error TEXT,
        UNIQUE (flow_name, run_number)
      )`,
      'CREATE INDEX runs_status ON runs (status)',
      'CREATE INDEX runs_created ON runs (created_at)',
      `CREATE TABLE steps (
        run_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        PRIMARY KEY (run_id, name)
      ) WITHOUT ROWID`,
      `CREATE TABLE tasks (
        run_id INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        step_name TEXT NOT NULL,
        status TEXT NOT NULL,
        successful INTEGER,
        foreach_path TEXT NOT NULL DEFAULT '',
        foreach_count INTEGER,
        parent_ids TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0,
        final_attempt INTEGER,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        origin_task TEXT,
        PRIMARY KEY (run_id, task_id)
      ) WITHOUT ROWID`,
      'CREATE INDEX tasks_step ON tasks (run_id, step_name, task_id)',
      `CREATE TABLE attempts (
        run_id INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        exception TEXT,
        env_info TEXT,
        PRIMARY KEY (run_id, task_id, attempt)
      ) WITHOUT ROWID`,
      `CREATE TABLE artifacts (
        run_id INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        name TEXT NOT NULL,
        sha TEXT NOT NULL,
        codec TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, task_id, attempt, name)
      ) WITHOUT ROWID`,
      `CREATE TABLE log_lines (
        run_id INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        stream TEXT NOT NULL,
        ts INTEGER NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (run_id, task_id, attempt, seq)
      ) WITHOUT ROWID`,
    ],
  },
  {
    id: 2,
    name: 'run_tags',
    statements: [
      // Tag filters become indexed EXISTS lookups instead of scans of the JSON columns.
      `CREATE TABLE run_tags (
        run_id INTEGER NOT NULL,
        tag TEXT NOT NULL,
        system INTEGER NOT NULL,
        PRIMARY KEY (tag, run_id)
      ) WITHOUT ROWID`,
      'CREATE INDEX run_tags_run ON run_tags (run_id)',
      // System tags first: a tag that is also a user tag keeps one row, marked system.
      `INSERT OR IGNORE INTO run_tags (run_id, tag, system)
        SELECT runs.id, t.value, 1 FROM runs, json_each(runs.system_tags) AS t WHERE t.type = 'text'`,
      `INSERT OR IGNORE INTO run_tags (run_id, tag, system)
        SELECT runs.id, t.value, 0 FROM runs, json_each(runs.tags) AS t WHERE t.type = 'text'`,
    ],
  },
  {
    id: 3,
    name: 'events',
    statements: [
      // Small columns first: a filter scan reads them without touching the JSON further along.
      `CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        occurred INTEGER NOT NULL,
        event TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        follows TEXT,
        received INTEGER NOT NULL,
        resource TEXT NOT NULL,
        related TEXT NOT NULL,
        payload TEXT NOT NULL,
        search TEXT NOT NULL
      )`,
      // The feed's order (and keyset pagination), newest or oldest first, with no sort. The name
      // rides along so a time scan checks name filters without reading the (large) event row.
      'CREATE INDEX events_occurred ON events (occurred, seq, event)',
      // Event-name lookups and prefixes (driving a query for a rare name), counts by name.
      'CREATE INDEX events_event ON events (event, occurred)',
      // Clustered by event: the per-event probe of a label or related filter reads adjacent rows.
      `CREATE TABLE event_resources (
        event_seq INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        occurred INTEGER NOT NULL,
        resource_id TEXT NOT NULL,
        role TEXT NOT NULL,
        labels TEXT NOT NULL,
        PRIMARY KEY (event_seq, pos)
      ) WITHOUT ROWID`,
      // Covering (the key carries event_seq): the candidate events of a resource id (in a role, in a
      // time range), primary (role '') and related alike. Every index costs ingest speed, so there
      // is no second copy on events.resource_id and none by role alone (a role matches too many
      // events to drive a query; the per-event probe above checks it).
      'CREATE INDEX event_resources_resource ON event_resources (resource_id, role, occurred)',
    ],
  },
  {
    id: 4,
    name: 'service',
    statements: [
      // Idempotency keys of remote writes: a retried request finds its key and is not applied twice.
      `CREATE TABLE request_keys (
        key TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        result TEXT
      )`,
      'CREATE INDEX request_keys_created ON request_keys (created_at)',
      // API keys of the HTTP service: only a hash of the secret is stored.
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      )`,
    ],
  },
  {
    id: 5,
    name: 'run_triggers',
    statements: [
      "ALTER TABLE runs ADD COLUMN trigger TEXT NOT NULL DEFAULT '[]'",
      // The forward walk: which runs did this event (or this run) trigger.
      `CREATE TABLE run_causes (
        ref TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        PRIMARY KEY (ref, run_id)
      ) WITHOUT ROWID`,
    ],
  },
  {
    id: 6,
    name: 'deployments',
    statements: [
      `CREATE TABLE deployments (
        flow TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        bundle_sha TEXT NOT NULL,
        code_sha TEXT NOT NULL,
        params TEXT NOT NULL,
        triggers TEXT NOT NULL,
        production_token TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_problem TEXT,
        next_scheduled_at INTEGER
      )`,
      // Dependencies that arrived and wait for the others (one per dependency: the latest).
      `CREATE TABLE deployment_arrivals (
        flow TEXT NOT NULL,
        dependency TEXT NOT NULL,
        event_id TEXT NOT NULL,
        occurred INTEGER NOT NULL,
        PRIMARY KEY (flow, dependency)
      )`,
      // The engine's decisions to start runs, written before the run starts (the id is the run's idempotency key).
      `CREATE TABLE deployment_firings (
        id TEXT PRIMARY KEY,
        flow TEXT NOT NULL,
        causes TEXT NOT NULL,
        status TEXT NOT NULL,
        run_id INTEGER,
        created_at INTEGER NOT NULL,
        message TEXT
      )`,
      'CREATE INDEX deployment_firings_flow ON deployment_firings (flow, created_at)',
      'CREATE INDEX deployment_firings_status ON deployment_firings (status)',
      // The trigger engine's cursor over the event feed and its lease (position -1: not started yet).
      `CREATE TABLE engine_state (
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER NOT NULL
      )`,
      "INSERT INTO engine_state (name, position, lease_owner, lease_until) VALUES ('triggers', -1, NULL, 0)",
    ],
  },
  {
    id: 7,
    name: 'runs_flow_status',
    statements: [
      // A flow's runs list filtered by status (web UI): newest first among the matches, read in
      // index order and stopped at the page size, whatever the other statuses' share.
      'CREATE INDEX runs_flow_status ON runs (flow_name, status, run_number)',
    ],
  },
  {
    id: 8,
    name: 'event_links',
    statements: [
      // Replaces event_resources (a row per involved resource clustered by event, with the labels
      // copied, plus an index by resource id: two entries per resource and ~450 bytes of labels per
      // event, for ingest ~10 index entries per event). Keyed by what lookups need, each link is one
      // entry; labels are read from the event's own JSON. Ordered by the key so the copy appends.
      `CREATE TABLE event_links (
        resource_id TEXT NOT NULL,
        occurred INTEGER NOT NULL,
        event_seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (resource_id, occurred, event_seq, role)
      ) WITHOUT ROWID`,
      `INSERT OR IGNORE INTO event_links (resource_id, occurred, event_seq, role)
        SELECT resource_id, occurred, event_seq, role FROM event_resources
        ORDER BY resource_id, occurred, event_seq, role`,
      'DROP TABLE event_resources',
    ],
  },
  {
    id: 9,
    name: 'run_cancel_request',
    statements: [
      // Who asked to cancel a running run, when and why (JSON): the orchestrator polls it.
      'ALTER TABLE runs ADD COLUMN cancel_request TEXT',
    ],
  },
  {
    id: 10,
    name: 'automations',
    statements: [
      // An automation: the columns lists filter on, the rest of it as JSON, and the engine's state
      // of its trigger (null until the engine stores one).
      `CREATE TABLE automations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        owner TEXT,
        tags TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_fired_at INTEGER,
        state TEXT
      )`,
      'CREATE INDEX automations_owner ON automations (owner)',
      // Tag and related-resource filters as indexed EXISTS lookups (as run_tags), not JSON scans.
      `CREATE TABLE automation_links (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        automation_id TEXT NOT NULL,
        PRIMARY KEY (kind, value, automation_id)
      ) WITHOUT ROWID`,
      'CREATE INDEX automation_links_automation ON automation_links (automation_id)',
      // Firings of an automation's root trigger (the id is deterministic: a replay inserts nothing).
      `CREATE TABLE automation_firings (
        id TEXT PRIMARY KEY,
        automation_id TEXT NOT NULL,
        triggered_at INTEGER NOT NULL,
        firing TEXT NOT NULL,
        event_ids TEXT NOT NULL
      )`,
      // An automation's history, newest first, paged by (triggered_at, id).
      'CREATE INDEX automation_firings_history ON automation_firings (automation_id, triggered_at, id)',
      `CREATE TABLE automation_actions (
        id TEXT PRIMARY KEY,
        firing_id TEXT NOT NULL,
        automation_id TEXT NOT NULL,
        list TEXT NOT NULL,
        action_index INTEGER NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        message TEXT,
        target TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      )`,
      'CREATE INDEX automation_actions_firing ON automation_actions (firing_id, list, action_index)',
      // Only pending actions, oldest first: the few to run again after a crash, whatever the history.
      "CREATE INDEX automation_actions_pending ON automation_actions (created_at, id) WHERE status = 'pending'",
      // Named secrets (a webhook's headers), as JSON objects.
      `CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    id: 12,
    name: 'engine_ordering',
    statements: [
      // The engine-wide event ordering (follows parking, dedupe), committed with the cursor.
      'ALTER TABLE engine_state ADD COLUMN ordering TEXT',
    ],
  },
  {
    id: 13,
    name: 'event_text_index',
    statements: [
      // The text index (sqlite-text-index.ts): trigrams of each event's search text, rowid = seq,
      // contentless (the text is the event's), `detail = none` (which event, not where), so it
      // only narrows; every candidate is checked exactly. Case-sensitive: texts and terms are
      // lower-cased already. Kept behind the appends: events past `indexed_through` are
      // candidates of every text query until the indexer reaches them (stored events included).
      // From now on ASCII search texts are rebuilt, not stored (search = '').
      `CREATE VIRTUAL TABLE event_text USING fts5(text, tokenize = 'trigram case_sensitive 1',
        detail = none, content = '', contentless_delete = 1)`,
      'CREATE TABLE event_text_state (indexed_through INTEGER NOT NULL)',
      'INSERT INTO event_text_state (indexed_through) VALUES (0)',
    ],
  },
];
