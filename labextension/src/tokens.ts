import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type {
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
  ISpaceUsage,
  ISubmission,
  ISubmissionTicket,
  ITrack,
  ProblemFormat
} from './records';

/**
 * The Code Runner API client shared by the problems panel and the submit command.
 * Failed calls reject with an `ApiError` carrying the server's message.
 */
export interface ICodeRunnerClient {
  /** Emitted once for every submission this client saw reach `graded` or `failed`. */
  readonly submissionFinished: ISignal<ICodeRunnerClient, ISubmission>;

  /** Emitted for every practice check this client got an answer to. */
  readonly checkFinished: ISignal<ICodeRunnerClient, ICheckResult>;

  /**
   * The learner's own submissions of a problem, newest first, a page at a time
   * (`before`: the `next` of the page before), each with its code.
   */
  listSubmissions(
    problemId: string,
    options?: { limit?: number; before?: string | null }
  ): Promise<ISubmissionPage>;

  /** The hints of a problem revealed so far, and how many it has. */
  getHints(problemId: string): Promise<IHints>;

  /** Reveals the next hint (none once all are shown) and answers like `getHints`. */
  revealHint(problemId: string): Promise<IHints>;

  /**
   * Runs the problem's public tests on the saved file at `path`, in the learner's own
   * container: a practice check, never graded nor recorded.
   */
  check(problemId: string, path: string): Promise<ICheckResult>;

  /** Runs a program problem's saved file at `path` with `stdin` typed by the learner. */
  run(problemId: string, path: string, stdin: string): Promise<IRunResult>;

  /** The cheatsheets, each with its track and topic. */
  listCheatsheets(): Promise<ICheatsheetSummary[]>;

  /** One cheatsheet with its Markdown. */
  getCheatsheet(cheatsheetId: string): Promise<ICheatsheet>;

  listProblems(): Promise<IProblemSummary[]>;

  /** Tracks and their levels, in display order. */
  listTracks(): Promise<ITrack[]>;

  getProblem(problemId: string): Promise<IProblem>;

  /** Creates the learner's file for a problem if missing; never overwrites one. */
  openProblem(problemId: string, format: ProblemFormat): Promise<IOpenedProblem>;

  /**
   * Sends the saved file at `path` (relative to the server root) for grading. With
   * `assessmentId`, the submission is recorded for that assessment (and uses one of its
   * attempts); the server refuses it with a 409 `ApiError` whose message says why when
   * the assessment is not open or no attempts are left. Without it: practice.
   */
  submit(problemId: string, path: string, assessmentId?: string): Promise<ISubmissionTicket>;

  /**
   * The assessments of the learner's cohorts (open, upcoming and closed), with the
   * attempts the learner has used on each problem.
   */
  listAssessments(): Promise<IAssessment[]>;

  /**
   * The leaderboards of the learner's cohorts whose teacher switched one on (none:
   * an empty list), each with its top rows and the learner's own row.
   */
  getLeaderboard(): Promise<ILeaderboard[]>;

  /**
   * A submission. With `waitSeconds`, the server answers as soon as the verdict is
   * stored, or after that many seconds with the current state (long polling).
   */
  getSubmission(submissionId: string, waitSeconds?: number): Promise<ISubmission>;

  getProgress(): Promise<IProgress>;

  /** The learner's cohorts (display name, track), limits and roles. */
  getMe(): Promise<IMe>;

  /** The privacy notice in force and whether this learner has accepted it. */
  getPrivacy(): Promise<IPrivacyNotice>;

  /**
   * Records that the learner accepted this version of the notice. Rejects with a 409
   * `ApiError` when the notice has changed meanwhile: fetch it again and show it.
   */
  acceptPrivacy(version: string): Promise<IPrivacyAcceptance>;

  /** How much the learner's home holds, their quota and the largest file allowed. */
  getSpace(): Promise<ISpaceUsage>;

  /**
   * Follows a submission until it is graded or failed. A 429/503 on the way waits
   * for the server's Retry-After instead of failing; any other error ends the wait.
   * A second call for a submission already followed joins it: one long poll at a
   * time per submission.
   */
  waitForResult(
    submissionId: string,
    options?: ICodeRunnerClient.IWaitOptions
  ): Promise<ISubmission>;
}

export namespace ICodeRunnerClient {
  export interface IWaitOptions {
    /** Time between two polls when the server answers at once. Default 1000 ms. */
    intervalMs?: number;
    /** Give up (with an ApiError) after this long. Default 10 minutes. */
    timeoutMs?: number;
    /** Stops polling when aborted (the promise then rejects with the abort reason). */
    signal?: AbortSignal;
    /** Called with every non-final state seen while waiting. */
    onUpdate?: (submission: ISubmission) => void;
  }
}

/** The one `ICodeRunnerClient` of a JupyterLab session (see `plugins/client.ts`). */
export const ICodeRunnerClient = new Token<ICodeRunnerClient>(
  'coderunner-labextension:ICodeRunnerClient',
  'Client for the Code Runner server extension (problems, submissions, assessments, leaderboards, progress, cohorts, privacy, space).'
);
