import type { ExceptionRecord } from '../../core/errors.ts';
import type { FlowtrailEvent } from '../../events/model.ts';
import type {
  ArtifactRecord,
  AttemptRecord,
  CancelRequest,
  CreateRunOptions,
  FlowRecord,
  LatestRunQuery,
  LogLine,
  LogQuery,
  LogSearchQuery,
  MetadataStore,
  MetadataWrite,
  NewRun,
  RunQuery,
  RunRecord,
  StepOverview,
  StepRecord,
  StepSummary,
  TagChange,
  TaskQuery,
  TaskRecord,
  WriteOptions,
} from '../metadata-store.ts';
import type { ServiceClient } from './service-client.ts';

const seg = encodeURIComponent;
const isoTime = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** Runs per `step-summaries` request (the route's bound). */
const SUMMARY_RUNS_PER_REQUEST = 400;

/**
 * The `MetadataStore` port through a Flowtrail service (`/api/v1/…`): one request per call, so
 * the bounds the SQL adapters keep (one query per listing) hold over the wire too.
 */
export class HttpMetadataStore implements MetadataStore {
  constructor(private readonly client: ServiceClient) {}

  get location(): string {
    return `service@${this.client.url}`;
  }

  /** Calls made to the service (one per method call; retries not counted). */
  get queryCount(): number {
    return this.client.callCount;
  }

  createRun(run: NewRun, options: CreateRunOptions = {}): Promise<RunRecord> {
    return this.client.request<RunRecord>('POST', '/api/v1/runs', {
      json: { run, ...(options.startedEvent ? { startedEvent: options.startedEvent } : {}) },
      idempotent: true,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  async write(ops: readonly MetadataWrite[], options: WriteOptions = {}): Promise<void> {
    if (ops.length === 0) return;
    await this.client.request<void>('POST', '/api/v1/metadata/writes', {
      json: { ops },
      idempotent: true,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  async pruneRequestKeys(before: number): Promise<number> {
    return (
      await this.client.request<{ deleted: number }>('POST', '/api/v1/metadata/request-keys/prune', {
        json: { before },
      })
    ).deleted;
  }

  async markRunCrashed(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[] = [],
  ): Promise<boolean> {
    return (
      await this.client.request<{ changed: boolean }>('POST', `/api/v1/runs/${runId}/crash`, {
        json: { at, reason, events },
      })
    ).changed;
  }

  requestRunCancel(runId: number, request: CancelRequest): Promise<RunRecord | undefined> {
    // Safe to retry: only the first request of a run is kept.
    return this.client.request('POST', `/api/v1/runs/${runId}/cancel-request`, {
      json: request,
      notFoundAsUndefined: true,
    });
  }

  async getCancelRequest(runId: number): Promise<CancelRequest | null> {
    return (
      await this.client.request<{ request: CancelRequest | null }>(
        'GET',
        `/api/v1/runs/${runId}/cancel-request`,
      )
    ).request;
  }

  async markRunCancelled(
    runId: number,
    at: number,
    reason: ExceptionRecord,
    events: readonly FlowtrailEvent[] = [],
  ): Promise<boolean> {
    return (
      await this.client.request<{ changed: boolean }>('POST', `/api/v1/runs/${runId}/mark-cancelled`, {
        json: { at, reason, events },
      })
    ).changed;
  }

  async listFlows(options: { tags?: readonly string[] } = {}): Promise<FlowRecord[]> {
    return (
      await this.client.request<{ flows: FlowRecord[] }>('GET', '/api/v1/flows', {
        query: { tag: options.tags },
      })
    ).flows;
  }

  async getFlow(flow: string): Promise<FlowRecord | undefined> {
    return this.client.request<FlowRecord | undefined>('GET', `/api/v1/flows/${seg(flow)}`, {
      notFoundAsUndefined: true,
    });
  }

  async flowExists(flow: string): Promise<boolean> {
    const found = await this.client.request<FlowRecord | undefined>('GET', `/api/v1/flows/${seg(flow)}`, {
      notFoundAsUndefined: true,
    });
    return found !== undefined;
  }

  async flowHasRun(flow: string, tags: readonly string[]): Promise<boolean> {
    return (await this.listRuns(flow, { tags, limit: 1 })).length > 0;
  }

  getRun(flow: string, runNumber: number): Promise<RunRecord | undefined> {
    return this.client.request('GET', `/api/v1/flows/${seg(flow)}/runs/${runNumber}`, {
      notFoundAsUndefined: true,
    });
  }

  getRunById(runId: number): Promise<RunRecord | undefined> {
    return this.client.request('GET', `/api/v1/runs/${runId}`, { notFoundAsUndefined: true });
  }

  async listRuns(flow: string, query: RunQuery = {}): Promise<RunRecord[]> {
    const answer = await this.client.request<{ runs: RunRecord[] }>(
      'GET',
      `/api/v1/flows/${seg(flow)}/runs`,
      {
        query: {
          limit: query.limit,
          before: query.beforeRunNumber,
          after: query.afterRunNumber,
          status: query.status,
          tag: query.tags,
          user: query.user,
          since: isoTime(query.since),
          until: isoTime(query.until),
        },
      },
    );
    return answer.runs;
  }

  async listRunningRuns(flow?: string): Promise<RunRecord[]> {
    return (
      await this.client.request<{ runs: RunRecord[] }>('GET', '/api/v1/runs/running', { query: { flow } })
    ).runs;
  }

  latestRun(options: LatestRunQuery = {}): Promise<RunRecord | undefined> {
    return this.client.request('GET', '/api/v1/runs/latest', {
      query: { flow: options.flow, user: options.user, status: options.status, tag: options.tags },
      notFoundAsUndefined: true,
    });
  }

  mutateRunTags(runId: number, change: TagChange): Promise<{ tags: string[]; systemTags: string[] }> {
    return this.client.request('POST', `/api/v1/runs/${runId}/tags`, { json: change });
  }

  async listRunsTriggeredBy(ref: string): Promise<RunRecord[]> {
    return (
      await this.client.request<{ runs: RunRecord[] }>('GET', '/api/v1/runs/triggered-by', { query: { ref } })
    ).runs;
  }

  async listSteps(runId: number): Promise<StepRecord[]> {
    return (await this.client.request<{ steps: StepRecord[] }>('GET', `/api/v1/runs/${runId}/steps`)).steps;
  }

  getStep(runId: number, name: string): Promise<StepRecord | undefined> {
    return this.client.request('GET', `/api/v1/runs/${runId}/steps/${seg(name)}`, {
      notFoundAsUndefined: true,
    });
  }

  async listTasks(runId: number, options: TaskQuery = {}): Promise<TaskRecord[]> {
    const answer = await this.client.request<{ tasks: TaskRecord[] }>('GET', `/api/v1/runs/${runId}/tasks`, {
      query: {
        step: options.step,
        limit: options.limit,
        after: options.afterTaskId,
        before: options.beforeTaskId,
        order: options.order,
        status: options.status,
        offset: options.offset,
      },
    });
    return answer.tasks;
  }

  getTask(runId: number, taskId: number): Promise<TaskRecord | undefined> {
    return this.client.request('GET', `/api/v1/runs/${runId}/tasks/${taskId}`, { notFoundAsUndefined: true });
  }

  async listAttempts(runId: number, taskId: number): Promise<AttemptRecord[]> {
    return (
      await this.client.request<{ attempts: AttemptRecord[] }>(
        'GET',
        `/api/v1/runs/${runId}/tasks/${taskId}/attempts`,
      )
    ).attempts;
  }

  async listArtifacts(
    runId: number,
    taskId: number,
    options: { attempt?: number } = {},
  ): Promise<ArtifactRecord[]> {
    return (
      await this.client.request<{ artifacts: ArtifactRecord[] }>(
        'GET',
        `/api/v1/runs/${runId}/tasks/${taskId}/artifacts`,
        { query: { attempt: options.attempt } },
      )
    ).artifacts;
  }

  async listArtifactsOfTasks(runId: number, taskIds: readonly number[]): Promise<ArtifactRecord[]> {
    return (
      await this.client.request<{ artifacts: ArtifactRecord[] }>(
        'POST',
        `/api/v1/runs/${runId}/artifacts/of-tasks`,
        {
          json: { taskIds },
        },
      )
    ).artifacts;
  }

  async readLogs(runId: number, taskId: number, query: LogQuery = {}): Promise<LogLine[]> {
    return (
      await this.client.request<{ lines: LogLine[] }>('GET', `/api/v1/runs/${runId}/tasks/${taskId}/logs`, {
        query: { attempt: query.attempt, stream: query.stream, afterSeq: query.afterSeq, limit: query.limit },
      })
    ).lines;
  }

  // ---- The task page of the web UI
  async searchLogs(runId: number, taskId: number, query: LogSearchQuery): Promise<LogLine[]> {
    return (
      await this.client.request<{ lines: LogLine[] }>(
        'GET',
        `/api/v1/runs/${runId}/tasks/${taskId}/logs/search`,
        {
          query: {
            text: query.text,
            attempt: query.attempt,
            stream: query.stream,
            afterSeq: query.afterSeq,
            limit: query.limit,
          },
        },
      )
    ).lines;
  }

  // The flows page (web UI `/`).
  async listLatestRuns(): Promise<RunRecord[]> {
    return (await this.client.request<{ runs: RunRecord[] }>('GET', '/api/v1/runs/latest-per-flow')).runs;
  }

  // The runs × steps history of a flow (web UI `/flows/$flow/history`).
  async listFlowStepNames(flow: string): Promise<string[]> {
    return (await this.client.request<{ steps: string[] }>('GET', `/api/v1/flows/${seg(flow)}/steps`)).steps;
  }

  async summarizeSteps(runIds: readonly number[]): Promise<StepSummary[]> {
    const out: StepSummary[] = [];
    // The route takes a page of runs at a time.
    for (let i = 0; i < runIds.length; i += SUMMARY_RUNS_PER_REQUEST) {
      const answer = await this.client.request<{ steps: StepSummary[] }>(
        'POST',
        '/api/v1/runs/step-summaries',
        {
          json: { runIds: runIds.slice(i, i + SUMMARY_RUNS_PER_REQUEST) },
        },
      );
      out.push(...answer.steps);
    }
    return out;
  }

  // The run page (web UI, issue 11)
  async summarizeRun(runId: number): Promise<StepOverview[]> {
    return (await this.client.request<{ steps: StepOverview[] }>('GET', `/api/v1/runs/${runId}/summary`))
      .steps;
  }

  async close(): Promise<void> {}
}
