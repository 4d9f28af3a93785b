/**
 * The web UI's address of a run, for `flowtrail show RUN`: under `FLOWTRAIL_UI_URL` when set (a
 * UI behind a proxy), else the service of remote mode (`FLOWTRAIL_SERVICE_URL`, which serves the
 * UI at `/`), else where `flowtrail server` listens by default.
 */
import { DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '../core/config.ts';
import { serviceFromEnv } from '../store/open.ts';

export function uiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.FLOWTRAIL_UI_URL?.trim() ||
    serviceFromEnv(env)?.url ||
    `http://${DEFAULT_SERVER_HOST}:${DEFAULT_SERVER_PORT}`;
  return base.replace(/\/+$/, '');
}

/** `http://127.0.0.1:8787/runs/ForeachFlow/3` for run pathspec `ForeachFlow/3`. */
export function runUiLink(flow: string, runNumber: number, env: NodeJS.ProcessEnv = process.env): string {
  return `${uiBaseUrl(env)}/runs/${encodeURIComponent(flow)}/${runNumber}`;
}
