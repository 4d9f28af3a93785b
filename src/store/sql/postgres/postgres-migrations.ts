/**
 * PostgreSQL migration history, mirroring the SQLite one (same ids, names, tables and columns) so
 * the shared query module runs unchanged. Append only: a shipped migration never changes; a new
 * one gets the next id. Over 400 lines because it is one append-only list: the whole history.
 *
 * Types: Unix-ms timestamps, row ids and sizes are BIGINT (read back as numbers, see
 * `postgres-stores.ts`); counters and 0/1 flags stay INTEGER as in SQLite; JSON columns stay TEXT (the
 * query module writes and parses the JSON itself). Text compared or sorted by the store uses the
 * "C" collation: byte order, as SQLite's BINARY, whatever the database's locale.
 */
import type { SqlMigration } from '../sql-migration.ts';

export const postgresMigrations: SqlMigration[] = [
  {
    id: 1,
    name: 'initial',
    statements: [
      `CREATE TABLE flows (
        name TEXT COLLATE "C" PRIMARY KEY,
        created_at BIGINT NOT NULL,
        last_run_number BIGINT NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        flow_name TEXT COLLATE "C" NOT NULL REFERENCES flows(name),
        run_number BIGINT NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        user_name TEXT COLLATE "C" NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        system_tags TEXT NOT NULL DEFAULT '[]',
        params TEXT NOT NULL DEFAULT '{}',
        flow_file TEXT,
        code_sha TEXT,
        origin_run_number BIGINT,
        created_at BIGINT NOT NULL,
        finished_at BIGINT,
        heartbeat_at BIGINT,
        orchestrator_pid INTEGER,
        orchestrator_host TEXT,
        error TEXT,
        UNIQUE (flow_name, run_number)
      )`,
      'CREATE INDEX runs_status ON runs (status)',
      'CREATE INDEX runs_created ON runs (created_at)',
      `CREATE TABLE steps (
        run_id BIGINT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        finished_at BIGINT,
        PRIMARY KEY (run_id, name)
      )`,
      `CREATE TABLE tasks (
        run_id BIGINT NOT NULL,
        task_id BIGINT NOT NULL,
        step_name TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        successful INTEGER,
        foreach_path TEXT NOT NULL DEFAULT '',
        foreach_count INTEGER,
        parent_ids TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0,
        final_attempt INTEGER,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        origin_task TEXT,
        PRIMARY KEY (run_id, task_id)
      )`,
      'CREATE INDEX tasks_step ON tasks (run_id, step_name, task_id)',
      `CREATE TABLE attempts (
        run_id BIGINT NOT NULL,
        task_id BIGINT NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        exception TEXT,
        env_info TEXT,
        PRIMARY KEY (run_id, task_id, attempt)
      )`,
      `CREATE TABLE artifacts (
        run_id BIGINT NOT NULL,
        task_id BIGINT NOT NULL,
        attempt INTEGER NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        sha TEXT NOT NULL,
        codec TEXT NOT NULL,
        size BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, task_id, attempt, name)
      )`,
      `CREATE TABLE log_lines (
        run_id BIGINT NOT NULL,
        task_id BIGINT NOT NULL,
        attempt INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        stream TEXT COLLATE "C" NOT NULL,
        ts BIGINT NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (run_id, task_id, attempt, seq)
      )`,
    ],
  },
  {
    id: 2,
    name: 'run_tags',
    statements: [
      `CREATE TABLE run_tags (
        run_id BIGINT NOT NULL,
        tag TEXT COLLATE "C" NOT NULL,
        system INTEGER NOT NULL,
        PRIMARY KEY (tag, run_id)
      )`,
      'CREATE INDEX run_tags_run ON run_tags (run_id)',
      // System tags first: a tag that is also a user tag keeps one row, marked system.
      `INSERT INTO run_tags (run_id, tag, system)
        SELECT runs.id, t.v #>> '{}', 1 FROM runs, jsonb_array_elements(runs.system_tags::jsonb) AS t(v)
        WHERE jsonb_typeof(t.v) = 'string'
        ON CONFLICT DO NOTHING`,
      `INSERT INTO run_tags (run_id, tag, system)
        SELECT runs.id, t.v #>> '{}', 0 FROM runs, jsonb_array_elements(runs.tags::jsonb) AS t(v)
        WHERE jsonb_typeof(t.v) = 'string'
        ON CONFLICT DO NOTHING`,
    ],
  },
  {
    id: 3,
    name: 'events',
    statements: [
      `CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        occurred BIGINT NOT NULL,
        event TEXT COLLATE "C" NOT NULL,
        resource_id TEXT COLLATE "C" NOT NULL,
        follows TEXT COLLATE "C",
        received BIGINT NOT NULL,
        resource TEXT NOT NULL,
        related TEXT NOT NULL,
        payload TEXT NOT NULL,
        search TEXT NOT NULL
      )`,
      'CREATE INDEX events_occurred ON events (occurred, seq, event)',
      'CREATE INDEX events_event ON events (event, occurred)',
      `CREATE TABLE event_resources (
        event_seq BIGINT NOT NULL,
        pos INTEGER NOT NULL,
        occurred BIGINT NOT NULL,
        resource_id TEXT COLLATE "C" NOT NULL,
        role TEXT COLLATE "C" NOT NULL,
        labels TEXT NOT NULL,
        PRIMARY KEY (event_seq, pos)
      )`,
      'CREATE INDEX event_resources_resource ON event_resources (resource_id, role, occurred)',
    ],
  },
  {
    id: 4,
    name: 'service',
    statements: [
      `CREATE TABLE request_keys (
        key TEXT COLLATE "C" PRIMARY KEY,
        created_at BIGINT NOT NULL,
        result TEXT
      )`,
      'CREATE INDEX request_keys_created ON request_keys (created_at)',
      `CREATE TABLE api_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT COLLATE "C" NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
    ],
  },
  {
    id: 5,
    name: 'event_indexes',
    statements: [
      // PostgreSQL only: its indexes do not carry the table's key the way SQLite's do, so without
      // these every candidate, and every resource probed, costs a read of the table's heap.
      // The candidate events of a resource id, from the index alone (index-only scans).
      `CREATE INDEX event_resources_candidates ON event_resources (resource_id, role, occurred)
        INCLUDE (event_seq)`,
      'DROP INDEX event_resources_resource',
      // The per-event probe of a related or any-resource filter by id and role, from the index alone
      // (labels still read the row).
      'ALTER TABLE event_resources DROP CONSTRAINT event_resources_pkey',
      'ALTER TABLE event_resources ADD PRIMARY KEY (event_seq, pos) INCLUDE (resource_id, role)',
      // The same for event names, and one name's events in feed order without a sort.
      'CREATE INDEX events_name ON events (event, occurred, seq)',
      'DROP INDEX events_event',
    ],
  },
  {
    id: 6,
    name: 'run_triggers',
    statements: [
      "ALTER TABLE runs ADD COLUMN trigger TEXT NOT NULL DEFAULT '[]'",
      `CREATE TABLE run_causes (
        ref TEXT COLLATE "C" NOT NULL,
        run_id BIGINT NOT NULL REFERENCES runs (id),
        PRIMARY KEY (ref, run_id)
      )`,
    ],
  },
  {
    id: 7,
    name: 'deployments',
    statements: [
      `CREATE TABLE deployments (
        flow TEXT COLLATE "C" PRIMARY KEY,
        file TEXT NOT NULL,
        bundle_sha TEXT NOT NULL,
        code_sha TEXT NOT NULL,
        params TEXT NOT NULL,
        triggers TEXT NOT NULL,
        production_token TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_problem TEXT,
        next_scheduled_at BIGINT
      )`,
      `CREATE TABLE deployment_arrivals (
        flow TEXT COLLATE "C" NOT NULL,
        dependency TEXT COLLATE "C" NOT NULL,
        event_id TEXT NOT NULL,
        occurred BIGINT NOT NULL,
        PRIMARY KEY (flow, dependency)
      )`,
      `CREATE TABLE deployment_firings (
        id TEXT COLLATE "C" PRIMARY KEY,
        flow TEXT COLLATE "C" NOT NULL,
        causes TEXT NOT NULL,
        status TEXT NOT NULL,
        run_id BIGINT,
        created_at BIGINT NOT NULL,
        message TEXT
      )`,
      'CREATE INDEX deployment_firings_flow ON deployment_firings (flow, created_at)',
      'CREATE INDEX deployment_firings_status ON deployment_firings (status)',
      `CREATE TABLE engine_state (
        name TEXT COLLATE "C" PRIMARY KEY,
        position BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT NOT NULL
      )`,
      "INSERT INTO engine_state (name, position, lease_owner, lease_until) VALUES ('triggers', -1, NULL, 0)",
    ],
  },
  {
    id: 8,
    name: 'runs_flow_status',
    statements: [
      // A flow's runs list filtered by status (web UI): newest first among the matches, in index order.
      'CREATE INDEX runs_flow_status ON runs (flow_name, status, run_number)',
    ],
  },
  {
    id: 9,
    name: 'event_links',
    statements: [
      // As SQLite's migration 7: one index entry per involved resource instead of a row with its
      // labels and two indexes; the primary key answers candidates and per-event probes from the
      // index alone.
      `CREATE TABLE event_links (
        resource_id TEXT COLLATE "C" NOT NULL,
        occurred BIGINT NOT NULL,
        event_seq BIGINT NOT NULL,
        role TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (resource_id, occurred, event_seq, role)
      )`,
      `INSERT INTO event_links (resource_id, occurred, event_seq, role)
        SELECT resource_id, occurred, event_seq, role FROM event_resources
        ORDER BY resource_id, occurred, event_seq, role
        ON CONFLICT DO NOTHING`,
      'DROP TABLE event_resources',
    ],
  },
  {
    id: 10,
    name: 'run_cancel_request',
    statements: [
      // As SQLite's migration 9: a cancel request (JSON) the run's orchestrator polls.
      'ALTER TABLE runs ADD COLUMN cancel_request TEXT',
    ],
  },
  {
    id: 11,
    name: 'automations',
    statements: [
      // As SQLite's migration 10.
      `CREATE TABLE automations (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL,
        enabled INTEGER NOT NULL,
        owner TEXT COLLATE "C",
        tags TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_fired_at BIGINT,
        state TEXT
      )`,
      'CREATE INDEX automations_owner ON automations (owner)',
      `CREATE TABLE automation_links (
        kind TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        automation_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kind, value, automation_id)
      )`,
      'CREATE INDEX automation_links_automation ON automation_links (automation_id)',
      `CREATE TABLE automation_firings (
        id TEXT COLLATE "C" PRIMARY KEY,
        automation_id TEXT COLLATE "C" NOT NULL,
        triggered_at BIGINT NOT NULL,
        firing TEXT NOT NULL,
        event_ids TEXT NOT NULL
      )`,
      'CREATE INDEX automation_firings_history ON automation_firings (automation_id, triggered_at, id)',
      `CREATE TABLE automation_actions (
        id TEXT COLLATE "C" PRIMARY KEY,
        firing_id TEXT COLLATE "C" NOT NULL,
        automation_id TEXT COLLATE "C" NOT NULL,
        list TEXT COLLATE "C" NOT NULL,
        action_index INTEGER NOT NULL,
        action TEXT NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        attempts INTEGER NOT NULL,
        message TEXT,
        target TEXT,
        created_at BIGINT NOT NULL,
        finished_at BIGINT
      )`,
      'CREATE INDEX automation_actions_firing ON automation_actions (firing_id, list, action_index)',
      "CREATE INDEX automation_actions_pending ON automation_actions (created_at, id) WHERE status = 'pending'",
      `CREATE TABLE secrets (
        name TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    id: 13,
    name: 'engine_ordering_and_append_notify',
    statements: [
      // The engine-wide event ordering (follows parking, dedupe), committed with the cursor.
      'ALTER TABLE engine_state ADD COLUMN ordering TEXT',
      // Wakes trigger engines on every server when events commit (postgres-append-watch.ts): one
      // notification per inserting statement, delivered at commit, with the schema as payload.
      `CREATE FUNCTION flowtrail_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('flowtrail_events', current_schema());
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER events_notify AFTER INSERT ON events
        FOR EACH STATEMENT EXECUTE FUNCTION flowtrail_notify_events()`,
    ],
  },
  {
    id: 14,
    name: 'event_text_index',
    statements: [
      // Text search through a pg_trgm GIN index, kept behind the appends as SQLite's (its migration
      // 13; postgres-text-index.ts): a GIN index on events.search itself cost 40% of ingest even
      // with its pending list. `event_text` holds the search text of every event up to
      // `indexed_through`; the indexer copies the next ones, and text queries take the index's
      // candidates there and every event past it. Every candidate is checked exactly.
      `CREATE TABLE event_text (
        seq BIGINT PRIMARY KEY,
        search TEXT NOT NULL
      )`,
      'CREATE TABLE event_text_state (indexed_through BIGINT NOT NULL)',
      'INSERT INTO event_text_state (indexed_through) VALUES (0)',
      // The GIN index when pg_trgm is there or may be created (it is trusted: a database owner
      // may); otherwise the candidates are found by scanning `event_text`, with the same answers.
      // The extension goes in public (unless it exists already), never in a store's schema:
      // dropping that schema would take the extension, and every other store's index, with it.
      `DO $$
      DECLARE
        home name;
      BEGIN
        -- Stores in other schemas migrate concurrently: one creates the extension, the rest see it.
        PERFORM pg_advisory_xact_lock(hashtext('flowtrail.pg_trgm'));
        SELECT n.nspname INTO home FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
          WHERE x.extname = 'pg_trgm';
        IF home IS NULL THEN
          BEGIN
            CREATE EXTENSION pg_trgm SCHEMA public;
            home := 'public';
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'flowtrail: pg_trgm is not available (%), text search scans', SQLERRM;
          END;
        END IF;
        IF home IS NOT NULL THEN
          EXECUTE format('CREATE INDEX event_text_trgm ON event_text USING gin (search %I.gin_trgm_ops)', home);
        END IF;
      END $$`,
    ],
  },
];
