/**
 * Typed client for the Code Runner server extension (`<base_url>coderunner/api/`).
 *
 * Requests go through `ServerConnection.makeRequest`, so they carry the Jupyter
 * server's normal authentication (token / XSRF cookie) like any other Lab request.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

/** Seconds the server may hold a result request (it answers at once on a verdict). */
const LONG_POLL_SECONDS = 3;

const API_PREFIX = 'coderunner/api';

export type ProblemFormat = 'notebook' | 'script';

export interface IProblemSummary {
  id: string;
  title: string;
  track: string;
  level: number | string;
  order: number;
  points: number;
  kind: string;
}

export interface IProblem extends IProblemSummary {
  statement: string;
  starter: string;
}

export interface IOpenedProblem {
  path: string;
  created: boolean;
  format: ProblemFormat;
}

export interface ISubmissionTicket {
  id: string;
  status: SubmissionStatus;
}

export type SubmissionStatus = 'queued' | 'running' | 'graded' | 'failed';

export interface ITestResult {
  name: string;
  status: 'pass' | 'fail' | 'error';
  visibility: 'public' | 'hidden';
  message?: string | null;
  stdout?: string | null;
}

export interface ISubmission {
  id: string;
  problem_id: string;
  status: SubmissionStatus;
  verdict?: string | null;
  message?: string | null;
  score?: number | null;
  max_score?: number | null;
  passed?: number | null;
  total?: number | null;
  tests?: ITestResult[];
}

export interface IProblemProgress {
  problem_id: string;
  attempts: number;
  best_score: number;
  max_score: number;
  solved: boolean;
  first_solved_at?: string | null;
}

/** Whether a learner has opened a level (level 1 of every track always is). */
export interface ILevelProgress {
  track: string;
  level: number;
  unlocked: boolean;
}

export interface IProgress {
  user: string;
  problems: IProblemProgress[];
  /** Missing from older graders: then every level counts as unlocked. */
  levels?: ILevelProgress[];
  solved: number;
  total_score: number;
}

export interface ILevel {
  track: string;
  level: number;
  title: string;
  /** Share (0–1) of the previous level to solve before this one opens. */
  unlock_threshold: number;
  /** Problem ids, in display order. */
  problems: string[];
}

export interface ITrack {
  id: string;
  title: string;
  ages: string;
  description: string;
  levels: ILevel[];
}

/** A failed call: the server's `message`, its HTTP status and any Retry-After. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** Seconds to wait before trying again (429 / 503), if the server said so. */
    readonly retryAfterSeconds: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message with the status and the wait, ready to show to a learner. */
  describe(): string {
    const parts = [this.message];
    if (this.retryAfterSeconds !== null) {
      parts.push(`Try again in ${formatSeconds(this.retryAfterSeconds)}.`);
    }
    return this.status ? `${parts.join(' ')} (HTTP ${this.status})` : parts.join(' ');
  }
}

/** Human text for any error thrown by the client or by Lab itself. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.describe();
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

export function isFinished(status: SubmissionStatus): boolean {
  return status === 'graded' || status === 'failed';
}

export interface IWaitOptions {
  /** Time between two polls. Default 1000 ms. */
  intervalMs?: number;
  /** Give up (with an ApiError) after this long. Default 10 minutes. */
  timeoutMs?: number;
  /** Stops polling when aborted (the promise then rejects with the abort reason). */
  signal?: AbortSignal;
  /** Called with every non-final state seen while waiting. */
  onUpdate?: (submission: ISubmission) => void;
}

export class CodeRunnerClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  /** Emitted once for every submission this client saw reach `graded` or `failed`. */
  get submissionFinished(): ISignal<this, ISubmission> {
    return this._submissionFinished;
  }

  async listProblems(): Promise<IProblemSummary[]> {
    const body = await this.request<{ problems: IProblemSummary[] }>('problems');
    return body.problems ?? [];
  }

  /** Tracks and their levels, in display order. */
  async listTracks(): Promise<ITrack[]> {
    const body = await this.request<{ tracks: ITrack[] }>('tracks');
    return body.tracks ?? [];
  }

  getProblem(problemId: string): Promise<IProblem> {
    return this.request<IProblem>(`problems/${encodeURIComponent(problemId)}`);
  }

  /** Creates the learner's file for a problem if missing; never overwrites one. */
  openProblem(problemId: string, format: ProblemFormat): Promise<IOpenedProblem> {
    return this.request<IOpenedProblem>(`problems/${encodeURIComponent(problemId)}/open`, {
      method: 'POST',
      body: JSON.stringify({ format })
    });
  }

  /** Sends the saved file at `path` (relative to the server root) for grading. */
  submit(problemId: string, path: string): Promise<ISubmissionTicket> {
    return this.request<ISubmissionTicket>('submissions', {
      method: 'POST',
      body: JSON.stringify({ problem_id: problemId, path })
    });
  }

  /**
   * A submission. With `waitSeconds`, the server answers as soon as the verdict is
   * stored, or after that many seconds with the current state (long polling).
   */
  getSubmission(submissionId: string, waitSeconds = 0): Promise<ISubmission> {
    const query = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
    return this.request<ISubmission>(`submissions/${encodeURIComponent(submissionId)}${query}`);
  }

  getProgress(): Promise<IProgress> {
    return this.request<IProgress>('progress');
  }

  /**
   * Polls a submission until it is graded or failed. A 429/503 while polling waits
   * for the server's Retry-After instead of failing; any other error ends the wait.
   */
  async waitForResult(submissionId: string, options: IWaitOptions = {}): Promise<ISubmission> {
    const intervalMs = options.intervalMs ?? 1000;
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60 * 1000);
    for (;;) {
      options.signal?.throwIfAborted();
      let pause = intervalMs;
      try {
        const asked = Date.now();
        const submission = await this.getSubmission(submissionId, LONG_POLL_SECONDS);
        if (isFinished(submission.status)) {
          this._submissionFinished.emit(submission);
          return submission;
        }
        options.onUpdate?.(submission);
        // The server held the request until now: ask again at once. A quick answer
        // means a server without long polling, so fall back to the interval.
        if (Date.now() - asked >= 1000) {
          pause = 0;
        }
      } catch (error) {
        const busy =
          error instanceof ApiError && (error.status === 429 || error.status === 503);
        if (!busy) {
          throw error;
        }
        pause = Math.max(intervalMs, (error.retryAfterSeconds ?? 1) * 1000);
      }
      if (Date.now() + pause > deadline) {
        throw new ApiError(
          `Submission ${submissionId} is still not graded; ` +
            'its result will appear in your progress when it is.',
          0
        );
      }
      await sleep(pause, options.signal);
    }
  }

  private async request<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.serverSettings.baseUrl, API_PREFIX, endPoint);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    } catch (error) {
      throw new ApiError(`Cannot reach the Jupyter server: ${describeError(error)}`, 0);
    }
    const text = await response.text();
    let data: any = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const message =
        data && typeof data.message === 'string' && data.message
          ? data.message
          : `${response.status} ${response.statusText || 'Error'}`;
      throw new ApiError(
        message,
        response.status,
        parseRetryAfter(response.headers.get('Retry-After'))
      );
    }
    if (data === null || typeof data !== 'object') {
      throw new ApiError(`Unexpected reply from ${endPoint}: not a JSON object.`, response.status);
    }
    return data as T;
  }

  private _submissionFinished = new Signal<this, ISubmission>(this);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) {
    return null;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return parseInt(trimmed, 10);
  }
  const when = Date.parse(trimmed);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} s`;
  }
  return `${Math.ceil(seconds / 60)} min`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
