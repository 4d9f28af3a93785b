import { type ChildProcess, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.ts';
import { migrateSqlite } from '../../src/store/sql/sqlite/sqlite-migrate.ts';
import { sqliteMigrations } from '../../src/store/sql/sqlite/sqlite-migrations.ts';
import { openSqliteMetadataStore } from '../../src/store/sql/sqlite/sqlite-stores.ts';
import { runMetadataStoreSuite } from '../conformance/metadata-store.ts';
import { newRunRecord } from '../helpers.ts';

const CREATE_RUNS = fileURLToPath(new URL('./fixtures/create-runs.ts', import.meta.url));
const MUTATE_TAGS = fileURLToPath(new URL('./fixtures/mutate-tags.ts', import.meta.url));

async function makeTempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-sqlite-'));
}

runMetadataStoreSuite('sqlite', async () => {
  const dir = await makeTempDir();
  const store = openSqliteMetadataStore(path.join(dir, 'flowtrail.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
});

const newRun = (flow: string) => newRunRecord(flow);

describe("a flow's runs list in SQLite", () => {
  it('walks the (flow, run number) unique index from the newest run, filters or not', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'flowtrail.db');
    const store = openSqliteMetadataStore(file);
    try {
      for (let start = 0; start < 2_000; start += 500)
        await Promise.all(
          Array.from({ length: 500 }, (_, k) =>
            store.createRun(newRunRecord(k % 2 === 0 ? 'Big' : 'Other', { createdAt: start + k })),
          ),
        );
      const db = new BetterSqlite3(file);
      try {
        db.exec('ANALYZE');
        const plan = (where: string) =>
          (
            db
              .prepare(
                `EXPLAIN QUERY PLAN SELECT * FROM runs WHERE flow_name = ? ${where} ORDER BY run_number DESC LIMIT 51`,
              )
              .all('Big') as { detail: string }[]
          )
            .map((r) => r.detail)
            .join('\n');
        // In index order from the newest run: no sort, no scan of other flows' runs.
        for (const where of ['', "AND user_name = 'u'", 'AND run_number < 900'])
          expect(plan(where), where).toMatch(
            /^SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(flow_name=\?[^\n]*\)$/,
          );
        expect(plan("AND status = 'failed'")).toMatch(
          /^SEARCH runs USING INDEX runs_flow_status \(flow_name=\? AND status=\?\)$/,
        );
        // A time range may start from the creation-time index instead; either way no full scan.
        expect(plan('AND created_at >= 5 AND created_at <= 900')).not.toMatch(/SCAN runs/);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

function readMigrations(file: string): { id: number; name: string; applied_at: number }[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare('SELECT id, name, applied_at FROM flowtrail_migrations ORDER BY id').all() as {
      id: number;
      name: string;
      applied_at: number;
    }[];
  } finally {
    db.close();
  }
}

/**
 * Collects a child's stdout line by line; `line()` resolves with the next line, or rejects (with the
 * child's stderr) when stdout ends first.
 */
function lineReader(child: ChildProcess, stderr: () => string): { line: () => Promise<string> } {
  let buffered = '';
  let ended = false;
  const lines: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const failure = () => new Error(`child ${child.pid} closed its output early:\n${stderr()}`);
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const next = waiting.shift();
      if (next) next.resolve(line);
      else lines.push(line);
      nl = buffered.indexOf('\n');
    }
  });
  child.stdout!.on('end', () => {
    ended = true;
    for (const w of waiting.splice(0)) w.reject(failure());
  });
  return {
    line: () => {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (ended) return Promise.reject(failure());
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

/**
 * Starts one child per argument list running `script`, waits until every child says `ready`, sends
 * them all `go`, and returns each child's result line once all have exited with code 0.
 */
async function runChildrenTogether(script: string, argLists: string[][]): Promise<string[]> {
  const children = argLists.map((args) =>
    spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const stderr = children.map(() => '');
  const exits = children.map(
    (child, i) =>
      new Promise<number | null>((resolve, reject) => {
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (chunk: string) => {
          stderr[i] += chunk;
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code));
      }),
  );
  try {
    const readers = children.map((child, i) => lineReader(child, () => stderr[i]!));
    const ready = await Promise.all(readers.map((r) => r.line()));
    expect(ready).toEqual(children.map(() => 'ready'));
    for (const child of children) child.stdin!.end('go\n');
    const outputs = await Promise.all(readers.map((r) => r.line()));
    const codes = await Promise.all(exits);
    expect(codes, stderr.join('\n')).toEqual(children.map(() => 0));
    return outputs;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

describe('SQLite metadata store', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    file = path.join(dir, 'nested', 'flowtrail.db');
  });

  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('creates the parent directory and names the file in its location', async () => {
    const store = openSqliteMetadataStore(file);
    try {
      expect(store.location).toBe(`sqlite:${file}`);
      await expect(fsp.stat(file)).resolves.toBeTruthy();
    } finally {
      await store.close();
    }
  });

  it('puts the database in WAL mode', async () => {
    const store = openSqliteMetadataStore(file);
    try {
      await store.createRun(newRun('A'));
      const db = new BetterSqlite3(file);
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  });

  it('records migrations and does not re-apply them when re-opened', async () => {
    const first = openSqliteMetadataStore(file);
    const created = await first.createRun(newRun('A'));
    await first.close();

    const recorded = readMigrations(file);
    expect(recorded.map((m) => ({ id: m.id, name: m.name }))).toEqual(
      sqliteMigrations.map((m) => ({ id: m.id, name: m.name })),
    );
    for (const m of recorded) expect(m.applied_at).toBeGreaterThan(0);

    const second = openSqliteMetadataStore(file);
    try {
      expect(readMigrations(file)).toEqual(recorded);
      // The data written before survives, and numbering continues.
      expect(await second.getRun('A', 1)).toEqual(created);
      expect((await second.createRun(newRun('A'))).runNumber).toBe(2);
    } finally {
      await second.close();
    }

    const db = new BetterSqlite3(file);
    try {
      expect(migrateSqlite(db)).toBe(0);
    } finally {
      db.close();
    }
    expect(readMigrations(file)).toEqual(recorded);
  });

  it('applies only migrations that are newer than the recorded ones', () => {
    const db = new BetterSqlite3(path.join(dir, 'custom.db'));
    try {
      const m1 = { id: 1, name: 'one', statements: ['CREATE TABLE one (x INTEGER)'] };
      const m2 = { id: 2, name: 'two', statements: ['CREATE TABLE two (y INTEGER)'] };
      expect(migrateSqlite(db, [m1])).toBe(1);
      expect(migrateSqlite(db, [m1])).toBe(0);
      expect(migrateSqlite(db, [m1, m2])).toBe(1);
      expect(migrateSqlite(db, [m1, m2])).toBe(0);
      const rows = db.prepare('SELECT id, name FROM flowtrail_migrations ORDER BY id').all();
      expect(rows).toEqual([
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ]);
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration and reports a StoreError', () => {
    const db = new BetterSqlite3(path.join(dir, 'broken.db'));
    try {
      const bad = {
        id: 1,
        name: 'broken',
        statements: ['CREATE TABLE ok (x INTEGER)', 'THIS IS NOT SQL'],
      };
      expect(() => migrateSqlite(db, [bad])).toThrow(StoreError);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
      expect(tables).toEqual([{ name: 'flowtrail_migrations' }]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM flowtrail_migrations').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('reports a file that cannot be opened as a StoreError', async () => {
    const notADb = path.join(dir, 'not-a-db');
    await fsp.writeFile(
      notADb,
      'this is not an sqlite file, just some text that is long enough to have a header',
    );
    expect(() => openSqliteMetadataStore(notADb)).toThrow(StoreError);
  });

  it('allocates distinct run numbers 1..100 to 4 processes creating 25 runs each', async () => {
    // Every child opens (and, racing, migrates) the file before any of them creates runs.
    const outputs = await runChildrenTogether(
      CREATE_RUNS,
      Array.from({ length: 4 }, () => [file, 'ConcurrentFlow', '25']),
    );
    const perChild = outputs.map((o) => JSON.parse(o) as number[]);
    for (const numbers of perChild) expect(numbers).toHaveLength(25);
    const all = perChild.flat().sort((a, b) => a - b);
    expect(new Set(all).size).toBe(100);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const store = openSqliteMetadataStore(file);
    try {
      expect(await store.listFlows()).toEqual([
        { name: 'ConcurrentFlow', createdAt: expect.any(Number), lastRunNumber: 100 },
      ]);
      const runs = await store.listRuns('ConcurrentFlow', { limit: 1000 });
      expect(runs.map((r) => r.runNumber)).toEqual(Array.from({ length: 100 }, (_, i) => 100 - i));
      expect(new Set(runs.map((r) => r.orchestratorPid)).size).toBe(4);
    } finally {
      await store.close();
    }
    expect(readMigrations(file).map((m) => m.id)).toEqual(sqliteMigrations.map((m) => m.id));
  });

  it('adds tags from 4 processes mutating one run at once, losing none', async () => {
    const setup = openSqliteMetadataStore(file);
    const run = await setup.createRun({ ...newRun('TagFlow'), tags: ['base'], systemTags: ['user:tester'] });
    await setup.close();

    const prefixes = ['p0', 'p1', 'p2', 'p3'];
    const outputs = await runChildrenTogether(
      MUTATE_TAGS,
      prefixes.map((prefix) => [file, String(run.id), prefix, '10']),
    );
    const expected = ['base', ...prefixes.flatMap((p) => Array.from({ length: 10 }, (_, i) => `${p}-${i}`))];
    // Each child's last answer holds at least its own ten tags.
    for (const [i, output] of outputs.entries()) {
      const tags = JSON.parse(output) as string[];
      for (let k = 0; k < 10; k++) expect(tags).toContain(`${prefixes[i]}-${k}`);
    }

    const store = openSqliteMetadataStore(file);
    try {
      const after = await store.getRunById(run.id);
      expect([...after!.tags].sort()).toEqual([...expected].sort());
      expect(after).toEqual({ ...run, tags: after!.tags });
      // Every process's tags keep their own order.
      for (const p of prefixes)
        expect(after!.tags.filter((t) => t.startsWith(`${p}-`))).toEqual(
          Array.from({ length: 10 }, (_, i) => `${p}-${i}`),
        );
      for (const tag of expected)
        expect((await store.listRuns('TagFlow', { tags: [tag, 'user:tester'] })).map((r) => r.id)).toEqual([
          run.id,
        ]);
    } finally {
      await store.close();
    }
  });

  it('migration 2 backfills run_tags from the tags of runs created before it', async () => {
    const legacyFile = path.join(dir, 'legacy.db');
    const legacy = new BetterSqlite3(legacyFile);
    try {
      expect(migrateSqlite(legacy, sqliteMigrations.slice(0, 1))).toBe(1);
      legacy.exec(
        `INSERT INTO flows (name, created_at, last_run_number) VALUES ('Old', 1, 3), ('Other', 2, 1)`,
      );
      const insert = legacy.prepare(
        `INSERT INTO runs (flow_name, run_number, status, user_name, tags, system_tags, created_at)
         VALUES (?, ?, ?, 'olduser', ?, ?, ?)`,
      );
      insert.run('Old', 1, 'completed', '["nightly","shared"]', '["user:olduser","shared"]', 10);
      insert.run('Old', 2, 'failed', '["nightly"]', '["user:olduser"]', 20);
      insert.run('Old', 3, 'completed', '[]', '[]', 30);
      insert.run('Other', 1, 'completed', '["gpu"]', '["user:olduser"]', 40);
    } finally {
      legacy.close();
    }

    const store = openSqliteMetadataStore(legacyFile);
    try {
      const numbers = async (tags: string[], status?: 'completed') =>
        (await store.listRuns('Old', { tags, ...(status ? { status } : {}) })).map((r) => r.runNumber);
      expect(await numbers(['nightly'])).toEqual([2, 1]);
      expect(await numbers(['shared', 'user:olduser'])).toEqual([1]);
      expect(await numbers(['nightly'], 'completed')).toEqual([1]);
      expect(await numbers(['gpu'])).toEqual([]);
      expect((await store.latestRun({ tags: ['user:olduser'], status: 'completed' }))?.flow).toBe('Other');
      expect((await store.listFlows({ tags: ['nightly'] })).map((f) => f.name)).toEqual(['Old']);
      expect(await store.flowHasRun('Other', ['gpu', 'user:olduser'])).toBe(true);

      // Old runs can be re-tagged, and new runs keep numbering.
      const old1 = (await store.getRun('Old', 1))!;
      expect(await store.mutateRunTags(old1.id, { add: ['kept'], remove: ['nightly'] })).toEqual({
        tags: ['shared', 'kept'],
        systemTags: ['user:olduser', 'shared'],
      });
      expect(await numbers(['nightly'])).toEqual([2]);
      expect(await numbers(['kept', 'shared'])).toEqual([1]);
      expect((await store.createRun({ ...newRun('Old'), tags: ['nightly'] })).runNumber).toBe(4);
      expect(await numbers(['nightly'])).toEqual([4, 2]);
    } finally {
      await store.close();
    }

    const db = new BetterSqlite3(legacyFile, { readonly: true });
    try {
      expect(db.prepare('SELECT tag, system FROM run_tags WHERE run_id = 1 ORDER BY tag').all()).toEqual([
        { tag: 'kept', system: 0 },
        { tag: 'shared', system: 1 },
        { tag: 'user:olduser', system: 1 },
      ]);
    } finally {
      db.close();
    }
    expect(readMigrations(legacyFile).map((m) => m.id)).toEqual(sqliteMigrations.map((m) => m.id));
  });
});
