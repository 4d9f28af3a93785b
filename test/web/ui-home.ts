/**
 * A Flowtrail home with the examples run into it (the same seeding as `npm start`) and a real
 * `flowtrail server` on it, in process on a free loopback port, for the UI tests.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain JavaScript script shared with `npm start`
import { seedExamples } from '../../scripts/seed-examples.mjs';
import { homePaths } from '../../src/core/config.ts';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.ts';

export interface UiHome {
  home: string;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function serveHome(home: string, options: ServerOptions = {}): Promise<RunningServer> {
  const paths = homePaths(home);
  return startServer({
    port: 0,
    auth: 'off',
    database: paths.database,
    artifacts: paths.artifacts,
    ...options,
  });
}

/** A fresh home with the examples (and, unless `chain: false`, the trigger chain) and a server on it. */
export async function startUiHome(
  options: { chain?: boolean; server?: ServerOptions } = {},
): Promise<UiHome> {
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'flowtrail-ui-'));
  let server: RunningServer | undefined;
  await (seedExamples as SeedExamples)(home, {
    ...(options.chain === false
      ? {}
      : {
          withChain: async (emit: () => Promise<void>) => {
            server = await serveHome(home, { triggerPollMs: 20 });
            await emit();
          },
        }),
  });
  server ??= await serveHome(home, options.server);
  const running = server;
  return {
    home,
    server: running,
    stop: async () => {
      await running.close();
      await fsp.rm(home, { recursive: true, force: true });
    },
  };
}

type SeedExamples = (
  home: string,
  options: { log?: (line: string) => void; withChain?: (emit: () => Promise<void>) => Promise<void> },
) => Promise<void>;
