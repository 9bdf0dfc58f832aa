/**
 * Client for the Code Runner server extension (`<base_url>coderunner/api/`).
 *
 * Requests go through `ServerConnection.makeRequest`, so they carry the Jupyter
 * server's normal authentication (token / XSRF cookie) like any other Lab request.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, describeError, parseRetryAfter, statusMessage } from './errors';
import { SubmissionFollower } from './follow';
import {
  IAssessment,
  ICheatsheet,
  ICheatsheetSummary,
  ICheckResult,
  IHints,
  IRunResult,
  ISubmissionPage,
  ILeaderboard,
  IMe,
  IOpenedProblem,
  IPrivacyAcceptance,
  IPrivacyNotice,
  IProblem,
  IProblemSummary,
  IProgress,
  ISubmission,
  ISpaceUsage,
  ISubmissionTicket,
  ITrack,
  ProblemFormat
} from './records';
import { ICodeRunnerClient } from './tokens';

const API_PREFIX = 'coderunner/api';

export class CodeRunnerClient implements ICodeRunnerClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  get submissionFinished(): ISignal<ICodeRunnerClient, ISubmission> {
    return this._submissionFinished;
  }

  get checkFinished(): ISignal<ICodeRunnerClient, ICheckResult> {
    return this._checkFinished;
  }

  listSubmissions(
    problemId: string,
    options: { limit?: number; before?: string | null } = {}
  ): Promise<ISubmissionPage> {
    const query = new URLSearchParams({ problem_id: problemId });
    if (options.limit !== undefined) {
      query.set('limit', String(options.limit));
    }
    if (options.before) {
      query.set('before', options.before);
    }
    return this.request<ISubmissionPage>(`submissions?${query.toString()}`);
  }

  getHints(problemId: string): Promise<IHints> {
    return this.request<IHints>(`problems/${encodeURIComponent(problemId)}/hints`);
  }

  revealHint(problemId: string): Promise<IHints> {
    return this.request<IHints>(`problems/${encodeURIComponent(problemId)}/hints`, {
      method: 'POST',
      body: JSON.stringify({})
    });
  }

  async check(problemId: string, path: string): Promise<ICheckResult> {
    const result = await this.request<ICheckResult>(
      `problems/${encodeURIComponent(problemId)}/check`,
      { method: 'POST', body: JSON.stringify({ path }) }
    );
    this._checkFinished.emit(result);
    return result;
  }

  run(problemId: string, path: string, stdin: string): Promise<IRunResult> {
    return this.request<IRunResult>(`problems/${encodeURIComponent(problemId)}/run`, {
      method: 'POST',
      body: JSON.stringify({ path, stdin })
    });
  }

  async listCheatsheets(): Promise<ICheatsheetSummary[]> {
    const body = await this.request<{ cheatsheets: ICheatsheetSummary[] }>('cheatsheets');
    return body.cheatsheets;
  }

  getCheatsheet(cheatsheetId: string): Promise<ICheatsheet> {
    return this.request<ICheatsheet>(`cheatsheets/${encodeURIComponent(cheatsheetId)}`);
  }

  async listProblems(): Promise<IProblemSummary[]> {
    const body = await this.request<{ problems: IProblemSummary[] }>('problems');
    return body.problems;
  }

  async listTracks(): Promise<ITrack[]> {
    const body = await this.request<{ tracks: ITrack[] }>('tracks');
    return body.tracks;
  }

  getProblem(problemId: string): Promise<IProblem> {
    return this.request<IProblem>(`problems/${encodeURIComponent(problemId)}`);
  }

  openProblem(problemId: string, format: ProblemFormat): Promise<IOpenedProblem> {
    return this.request<IOpenedProblem>(`problems/${encodeURIComponent(problemId)}/open`, {
      method: 'POST',
      body: JSON.stringify({ format })
    });
  }

  submit(problemId: string, path: string, assessmentId?: string): Promise<ISubmissionTicket> {
    const body: Record<string, string> = { problem_id: problemId, path };
    if (assessmentId !== undefined) {
      body.assessment_id = assessmentId;
    }
    return this.request<ISubmissionTicket>('submissions', {
      method: 'POST',
      body: JSON.stringify(body)
    });
  }

  async listAssessments(): Promise<IAssessment[]> {
    const body = await this.request<{ assessments: IAssessment[] }>('assessments');
    return body.assessments;
  }

  async getLeaderboard(): Promise<ILeaderboard[]> {
    const body = await this.request<{ boards: ILeaderboard[] }>('leaderboard');
    return body.boards;
  }

  getSubmission(submissionId: string, waitSeconds = 0, signal?: AbortSignal): Promise<ISubmission> {
    const query = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
    return this.request<ISubmission>(`submissions/${encodeURIComponent(submissionId)}${query}`, {
      signal
    });
  }

  getProgress(): Promise<IProgress> {
    return this.request<IProgress>('progress');
  }

  getMe(): Promise<IMe> {
    return this.request<IMe>('me');
  }

  getPrivacy(): Promise<IPrivacyNotice> {
    return this.request<IPrivacyNotice>('privacy');
  }

  acceptPrivacy(version: string): Promise<IPrivacyAcceptance> {
    return this.request<IPrivacyAcceptance>('privacy', {
      method: 'POST',
      body: JSON.stringify({ version })
    });
  }

  getSpace(): Promise<ISpaceUsage> {
    return this.request<ISpaceUsage>('space');
  }

  /**
   * Follows a submission to its verdict (see `follow.ts`): one long poll at a time per
   * submission, even when several views follow it, and a busy answer waits Retry-After.
   */
  waitForResult(
    submissionId: string,
    options: ICodeRunnerClient.IWaitOptions = {}
  ): Promise<ISubmission> {
    return this._follower.follow(submissionId, options);
  }

  private async request<T extends object>(endPoint: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.serverSettings.baseUrl, API_PREFIX, endPoint);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    } catch (error) {
      if (init.signal?.aborted) {
        throw error; // whoever aborted it knows why
      }
      console.warn(`Code Runner: cannot reach the Jupyter server: ${describeError(error)}`);
      throw new ApiError(
        'Could not reach the server. Check your internet connection and try again.',
        0
      );
    }
    const data = parseJson(await response.text());
    if (!response.ok) {
      const message =
        data && typeof data.message === 'string' && data.message
          ? data.message
          : statusMessage(response.status);
      throw new ApiError(
        message,
        response.status,
        parseRetryAfter(response.headers.get('Retry-After'))
      );
    }
    if (data === null) {
      throw new ApiError(`Unexpected reply from ${endPoint}: not a JSON object.`, response.status);
    }
    return data as T;
  }

  private _submissionFinished = new Signal<ICodeRunnerClient, ISubmission>(this);
  private _checkFinished = new Signal<ICodeRunnerClient, ICheckResult>(this);
  private _follower = new SubmissionFollower({
    getSubmission: (id, waitSeconds, signal) => this.getSubmission(id, waitSeconds, signal),
    onFinished: submission => this._submissionFinished.emit(submission)
  });
}

/** The JSON object in a reply body, or null when the body is not one. */
function parseJson(text: string): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(text);
    return data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
