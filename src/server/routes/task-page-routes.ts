/**
 * Routes the task page of the web UI needs beyond the port mirrors: log search (the store's
 * `searchLogs`), the full log as a streamed text download, and an artifact's bounded typed preview
 * and raw download. Downloads are `attachment`s under a sandboxing CSP, so a stored SVG or HTML
 * opened straight from its URL never runs in the server's origin.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { type CodecId, decodeArtifact } from '../../store/codec.ts';
import type { ArtifactRecord, LogLine, LogStream } from '../../store/metadata-store.ts';
import { artifactJson } from '../artifact-json.ts';
import { imageType, previewNode, previewValue } from '../artifact-preview.ts';
import { type Route, route } from '../route.ts';
import { artifactRecord, intParam, logLine, logStream } from '../schemas.ts';
import type { ServerStores } from '../stores.ts';
import { notFound, taskParams } from './route-inputs.ts';

/** How often a live log stream looks for new lines, and how many it sends at most per message. */
const LOG_TAIL_POLL_MS = 150;
const LOG_TAIL_PAGE = 2_000;

/** Lines read per page while streaming a download. */
const DOWNLOAD_PAGE = 5_000;
/** Structured values larger than this are not decoded for a preview (the download still works). */
export const MAX_PREVIEW_DECODE_BYTES = 256 * 1024 * 1024;

const DOWNLOAD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, no-store',
};

const artifactParams = z.object({ runId: intParam(), taskId: intParam(), name: z.string().min(1) });

/** A name safe in a `content-disposition` filename (ASCII letters, digits, `.`, `_`, `-`). */
const fileName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 200) || 'download';

async function findArtifact(
  stores: ServerStores,
  params: z.output<typeof artifactParams>,
  attempt: number | undefined,
): Promise<ArtifactRecord> {
  const records = await stores.metadata.listArtifacts(
    params.runId,
    params.taskId,
    attempt !== undefined ? { attempt } : {},
  );
  return (
    records.find((a) => a.name === params.name) ??
    notFound(
      'artifact',
      `Task ${params.taskId} of run #${params.runId} has no artifact '${params.name}'${attempt !== undefined ? ` in attempt ${attempt}` : ''}.`,
    )
  );
}

const isRaw = (codec: string) => codec === 'raw' || codec === 'raw-uint8array';

/** One attempt's lines as text, page by page: `line\n`, or `stderr| line\n` when both streams are asked for. */
function logText(
  read: (afterSeq: number | undefined) => Promise<LogLine[]>,
  both: boolean,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: number | undefined;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const lines = await read(after);
      if (lines.length === 0) {
        done = true;
        controller.close();
        return;
      }
      let text = '';
      for (const l of lines) text += both ? `${l.stream}| ${l.line}\n` : `${l.line}\n`;
      controller.enqueue(encoder.encode(text));
      after = lines[lines.length - 1]!.seq;
      if (lines.length < DOWNLOAD_PAGE) {
        done = true;
        controller.close();
      }
    },
  });
}

export const taskPageRoutes: readonly Route[] = [
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/logs/search',
    operationId: 'searchLogs',
    summary:
      'Log lines of one attempt (final by default) containing `text`, case-insensitively, in seq order; page with `afterSeq`.',
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    query: z.object({
      text: z.string().min(1),
      attempt: intParam().optional(),
      stream: logStream.optional(),
      afterSeq: z.coerce.number().int().optional(),
      limit: intParam().max(10_000).optional(),
    }),
    response: z.object({ lines: z.array(logLine) }),
    handle: async ({ params, query, ctx }) => ({
      lines: await ctx.stores.metadata.searchLogs(params.runId, params.taskId, {
        text: query.text,
        limit: query.limit ?? 500,
        ...(query.attempt !== undefined ? { attempt: query.attempt } : {}),
        ...(query.stream !== undefined ? { stream: query.stream } : {}),
        ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
      }),
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/logs/stream',
    operationId: 'streamLogs',
    summary:
      "Server-sent events: an attempt's log lines after `afterSeq` (`lines`, each message a JSON array, id = the last seq), as they are stored, then `end` once the attempt has finished and every line was sent.",
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    query: z.object({ attempt: intParam(), afterSeq: intParam().optional() }),
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this seq (overrides `afterSeq`).' }],
    response: 'sse',
    handle: async ({ params, query, ctx }) => {
      const { metadata } = ctx.stores;
      (await metadata.getTask(params.runId, params.taskId)) ??
        notFound('task', `Task ${params.taskId} of run #${params.runId} does not exist.`);
      const resumeAt = Number(ctx.hono.req.header('last-event-id'));
      let afterSeq: number | undefined = Number.isInteger(resumeAt) ? resumeAt : query.afterSeq;
      const finished = async () =>
        (await metadata.listAttempts(params.runId, params.taskId)).some(
          (a) => a.attempt === query.attempt && a.finishedAt !== null,
        );
      return streamSSE(ctx.hono, async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        await stream.writeSSE({ event: 'ready', data: '{}' });
        const readNew = () =>
          metadata.readLogs(params.runId, params.taskId, {
            attempt: query.attempt,
            limit: LOG_TAIL_PAGE,
            ...(afterSeq !== undefined ? { afterSeq } : {}),
          });
        let quietSince = Date.now();
        while (!abort.signal.aborted) {
          let lines = await readNew();
          // The attempt's state is read only on a quiet tick; once it has finished, one more read
          // picks up lines stored between the two reads.
          const done = lines.length === 0 && (await finished());
          if (done) lines = await readNew();
          if (lines.length > 0) {
            afterSeq = lines[lines.length - 1]!.seq;
            await stream.writeSSE({ event: 'lines', id: String(afterSeq), data: JSON.stringify(lines) });
            quietSince = Date.now();
            if (lines.length === LOG_TAIL_PAGE || done) continue;
          } else if (done) {
            await stream.writeSSE({ event: 'end', data: '{}' });
            return;
          } else if (Date.now() - quietSince > 15_000) {
            await stream.write(': keep-alive\n\n');
            quietSince = Date.now();
          }
          await delay(LOG_TAIL_POLL_MS, undefined, { signal: abort.signal }).catch(() => {});
        }
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/logs/download',
    operationId: 'downloadLogs',
    summary:
      'The full log of one attempt (final by default) as text/plain, streamed; both streams are interleaved as `stdout| …` / `stderr| …`.',
    tag: 'metadata',
    scope: 'read',
    params: taskParams,
    query: z.object({ attempt: intParam().optional(), stream: logStream.optional() }),
    response: 'bytes',
    handle: async ({ params, query, ctx }) => {
      const { metadata } = ctx.stores;
      const task =
        (await metadata.getTask(params.runId, params.taskId)) ??
        notFound('task', `Task ${params.taskId} of run #${params.runId} does not exist.`);
      // Fixed once, so a retry starting mid-download cannot switch attempts between pages.
      const attempt = query.attempt ?? task.finalAttempt ?? Math.max(0, task.attempts - 1);
      const run = await metadata.getRunById(params.runId);
      const stream: LogStream | undefined = query.stream;
      const body = logText(
        (afterSeq) =>
          metadata.readLogs(params.runId, params.taskId, {
            attempt,
            limit: DOWNLOAD_PAGE,
            ...(stream ? { stream } : {}),
            ...(afterSeq !== undefined ? { afterSeq } : {}),
          }),
        stream === undefined,
      );
      const name = fileName(
        `${run ? `${run.flow}-${run.runNumber}` : `run${params.runId}`}-${task.step}-${task.taskId}-attempt${attempt}${stream ? `-${stream}` : ''}.log`,
      );
      return new Response(body, {
        headers: {
          ...DOWNLOAD_HEADERS,
          'content-type': 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="${name}"`,
        },
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/artifacts/{name}/preview',
    operationId: 'previewArtifact',
    summary:
      "A bounded, typed preview of an artifact's value (final attempt by default): tree, table of rows, Map/Set, dates, bytes with their image type.",
    tag: 'artifacts',
    scope: 'read',
    params: artifactParams,
    query: z.object({ attempt: intParam().optional() }),
    response: z.object({ artifact: artifactRecord, preview: previewNode }),
    handle: async ({ params, query, ctx }) => {
      const artifact = await findArtifact(ctx.stores, params, query.attempt);
      if (!isRaw(artifact.codec) && artifact.size > MAX_PREVIEW_DECODE_BYTES)
        return {
          artifact,
          preview: { kind: 'more', summary: `${artifact.size} bytes: too large to preview; download it` },
        };
      const bytes = await ctx.stores.artifacts.get(artifact.sha);
      return { artifact, preview: previewValue(decodeArtifact(artifact.codec as CodecId, bytes)) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/runs/{runId}/tasks/{taskId}/artifacts/{name}/download',
    operationId: 'downloadArtifact',
    summary:
      "An artifact's value as a download: a bytes artifact as its bytes, any other value as JSON (Map, Set, Date, BigInt and bytes in tagged shapes).",
    tag: 'artifacts',
    scope: 'read',
    params: artifactParams,
    query: z.object({ attempt: intParam().optional() }),
    response: 'bytes',
    handle: async ({ params, query, ctx }) => {
      const artifact = await findArtifact(ctx.stores, params, query.attempt);
      const bytes = await ctx.stores.artifacts.get(artifact.sha);
      if (isRaw(artifact.codec)) {
        const image = imageType(bytes);
        const ext =
          image === 'image/png' ? '.png' : image === 'image/jpeg' ? '.jpg' : image ? '.svg' : '.bin';
        return new Response(bytes, {
          headers: {
            ...DOWNLOAD_HEADERS,
            // The UI builds its Blob from the preview's image type; the wire stays opaque.
            'content-type': 'application/octet-stream',
            'content-disposition': `attachment; filename="${fileName(artifact.name)}${ext}"`,
          },
        });
      }
      return new Response(artifactJson(decodeArtifact(artifact.codec as CodecId, bytes)), {
        headers: {
          ...DOWNLOAD_HEADERS,
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="${fileName(artifact.name)}.json"`,
        },
      });
    },
  }),
];
