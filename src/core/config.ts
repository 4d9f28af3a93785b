import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the embedded store lives: `FLOWTRAIL_HOME`; else the nearest `.flowtrail/` in the working
 * directory or one of its parents; else `.flowtrail/` in the working directory (created on first write).
 */
export function resolveHome(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.FLOWTRAIL_HOME;
  if (fromEnv && fromEnv.length > 0) return path.resolve(cwd, fromEnv);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.flowtrail');
    if (fs.existsSync(path.join(candidate, 'flowtrail.db'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.join(cwd, '.flowtrail');
}

/** The user a run belongs to: `FLOWTRAIL_USER`, then the OS user. */
export function resolveUser(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.FLOWTRAIL_USER ?? env.USER ?? env.USERNAME;
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Paths inside a Flowtrail home directory. */
export function homePaths(home: string): { database: string; artifacts: string; build: string } {
  return {
    database: path.join(home, 'flowtrail.db'),
    artifacts: path.join(home, 'artifacts'),
    build: path.join(home, 'build'),
  };
}

/** Where `flowtrail server` listens unless told otherwise (loopback only); `show` links the UI there. */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 8787;
