/**
 * What the Code Runner API answers, field for field as the grading service sends it
 * (`grading_service/records.py` and its handlers). Status, verdict and test values come
 * from `apiValues.ts`, which is generated from the service, so the two cannot drift.
 */
import { FINAL_STATUSES, SubmissionStatus, TestStatus, Verdict, Visibility } from './apiValues';

export type { SubmissionStatus, TestStatus, Verdict, Visibility } from './apiValues';

/** `graded` (with a verdict) or `failed` (no verdict could be reached). */
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** A submission still waiting for its verdict. */
export type PendingStatus = Exclude<SubmissionStatus, FinalStatus>;

export type ProblemFormat = 'notebook' | 'script';

/** GET problems: one entry of `problems`. */
export interface IProblemSummary {
  id: string;
  title: string;
  track: string;
  level: number;
  order: number;
  points: number;
  kind: string;
}

/** A cheatsheet a problem points to (GET problems/{id}). */
export interface ICheatsheetLink {
  id: string;
  title: string;
}

/** GET problems/{id}. */
export interface IProblem extends IProblemSummary {
  statement: string;
  starter: string;
  /** How many hints the problem has (their texts come from problems/{id}/hints). */
  hint_count?: number;
  cheatsheets?: ICheatsheetLink[];
  /** Names of the data files the problem ships; may be empty. */
  data_files?: string[];
  drawing?: 'turtle' | 'pygame' | null;
}

/** GET and POST problems/{id}/hints: the hints revealed so far, in order, of `total`. */
export interface IHints {
  revealed: string[];
  total: number;
}

/** POST problems/{id}/check: the public tests run on the learner's file, not graded. */
export interface ICheckResult {
  practice: true;
  verdict: Verdict;
  message: string;
  passed: number;
  total: number;
  tests: ITestResult[];
}

/** POST problems/{id}/run: a program problem's file run with typed input. */
export interface IRunResult {
  stdout: string;
  error: string | null;
  timed_out: boolean;
}

/** GET cheatsheets: one entry of `cheatsheets`. */
export interface ICheatsheetSummary {
  id: string;
  title: string;
  track: string;
  topic: string;
}

/** GET cheatsheets/{id}. */
export interface ICheatsheet extends ICheatsheetSummary {
  markdown: string;
}

/** POST problems/{id}/open (answered by the server extension). */
export interface IOpenedProblem {
  path: string;
  created: boolean;
  format: ProblemFormat;
}

/** POST submissions. */
export interface ISubmissionTicket {
  id: string;
  status: SubmissionStatus;
  /** The same code was already submitted: `id` is that submission. */
  duplicate?: boolean;
  /** The assessment the submission is recorded for; absent for practice. */
  assessment_id?: string | null;
}

/** What a public program test fed the program, what it expected and what it got. */
export interface IProgramDetail {
  stdin: string;
  expected: string;
  got: string;
}

/** A public function test's failing equality: the call and both reprs. */
export interface IFunctionDetail {
  call: string;
  got: string;
  expected: string;
}

/** One test of a submission; a hidden test's `message` is empty and it has no stdout. */
export interface ITestResult {
  name: string;
  status: TestStatus;
  visibility: Visibility;
  message: string;
  stdout?: string;
  /** Public tests only, when the service could say more. */
  detail?: IProgramDetail | IFunctionDetail | null;
}

/** GET submissions/{id}: verdict, score and tests are null or empty until graded. */
export interface ISubmission {
  id: string;
  problem_id: string;
  status: SubmissionStatus;
  verdict: Verdict | null;
  message: string;
  score: number | null;
  max_score: number | null;
  passed: number | null;
  total: number | null;
  tests: ITestResult[];
  /** The assessment it was recorded for; null (or absent, from older services): practice. */
  assessment_id?: string | null;
  /** Place in the queue while `queued` (1 = next); null otherwise or when unknown. */
  position?: number | null;
}

/** GET submissions?problem_id=…: one of the learner's own submissions, with its code. */
export interface IOwnSubmission extends ISubmission {
  code: string;
  /** ISO date. */
  created_at: string;
}

/** GET submissions?problem_id=…: a page, newest first; `next` is the next page's cursor. */
export interface ISubmissionPage {
  submissions: IOwnSubmission[];
  next: string | null;
}

/** GET progress: one entry of `problems`. */
export interface IProblemProgress {
  problem_id: string;
  attempts: number;
  best_score: number;
  max_score: number;
  solved: boolean;
  first_solved_at: string | null;
  state?: ProblemState;
}

/** Where a learner stands on a problem of an open level. */
export type ProblemState = 'open' | 'attempted' | 'solved';

/** Whether a learner has opened a level (level 1 of every track always is). */
export interface ILevelProgress {
  track: string;
  level: number;
  unlocked: boolean;
  /** "Solve 2 of the 3 problems in level 1 to open this level." ('' for level 1). */
  rule?: string;
  needed?: number;
  solved_before?: number;
}

/** GET progress: the learner's progress on one track. */
export interface ITrackProgress {
  track: string;
  solved: number;
  total: number;
  points: number;
}

/** GET progress: days in a row with at least one problem solved. */
export interface IStreak {
  current: number;
  best: number;
  /** Solved one today. */
  today: boolean;
  time_zone: string;
}

/** GET progress: the problem recommended next. */
export interface INextProblem {
  problem_id: string;
  title: string;
  track: string;
  level: number;
}

/** GET progress. */
export interface IProgress {
  user: string;
  problems: IProblemProgress[];
  levels: ILevelProgress[];
  solved: number;
  total_score: number;
  /** Whole or one decimal. */
  points?: number;
  tracks?: ITrackProgress[];
  streak?: IStreak;
  next?: INextProblem | null;
}

/** GET tracks: one level of a track. */
export interface ILevel {
  track: string;
  level: number;
  title: string;
  /** Share (0–1) of the previous level to solve before this one opens. */
  unlock_threshold: number;
  /** Problem ids, in display order. */
  problems: string[];
  /** What opens the level, in words ("Solve 2 of the 3 problems in level 1 to open this level."); '' for level 1. */
  rule?: string;
}

/** The character who talks to the learners of a track. */
export interface IGuide {
  name: string;
  emoji: string;
  greeting: string;
}

/** GET tracks: one entry of `tracks`, in display order. */
export interface ITrack {
  id: string;
  title: string;
  ages: string;
  description: string;
  levels: ILevel[];
  guide?: IGuide | null;
  /** One or two sentences for a first-time learner of the track. */
  start_here?: string;
}

/**
 * GET privacy: the privacy notice in force, in Markdown written for children.
 * `accepted_at` (ISO date) is null while this learner has not accepted this version.
 */
export interface IPrivacyNotice {
  text: string;
  version: string;
  accepted_at: string | null;
}

/** POST privacy: the version the learner accepted, and when. */
export interface IPrivacyAcceptance {
  version: string;
  accepted_at: string;
}

/**
 * GET space: what the learner's home holds and how much more it may. Without a
 * quota (`quota_bytes` null), `free_bytes` is the free space of the disk.
 */
export interface ISpaceUsage {
  used_bytes: number;
  quota_bytes: number | null;
  free_bytes: number;
  /** The largest single file the learner may upload or save; null: no cap. */
  max_upload_bytes: number | null;
}

/**
 * GET me: one cohort (a JupyterHub group, e.g. a school class) the learner is in, as
 * an admin set it up. `track` is the track its learners work on; null when none is set.
 */
export interface ICohort {
  name: string;
  display_name: string;
  track: string | null;
}

/** GET me: who the learner is here, their cohorts and their submission limits. */
export interface IMe {
  name: string;
  /** Every cohort the learner is in; empty when they are in none. */
  cohorts: ICohort[];
  /** Submissions allowed per minute and per day; 0 means unlimited. */
  limits: { rate_per_minute: number; daily_quota: number };
  admin: boolean;
  grader: boolean;
  /** Names of the cohorts this person teaches, or "all" (admins). */
  teaches: string[] | 'all';
}

/** Where an assessment's window stands, as the grading service saw it when it answered. */
export type AssessmentState = 'upcoming' | 'open' | 'closed';

/**
 * GET assessments: one entry of `assessments`, a set of problems a teacher set for one
 * of the learner's cohorts, with a window and a limit of attempts per problem. During
 * the window a submission sent with its id is recorded for it (and uses an attempt);
 * practice on the same problems stays possible at any time.
 */
export interface IAssessment {
  id: string;
  title: string;
  /** The cohort (JupyterHub group) it was set for. */
  cohort: string;
  /** Problem ids, in the teacher's order. */
  problems: string[];
  /** ISO dates. */
  opens_at: string;
  closes_at: string;
  /** Attempts allowed per problem. */
  max_attempts: number;
  state: AssessmentState;
  /** Seconds until it opens, when upcoming; else null. */
  seconds_to_open: number | null;
  /** Seconds until it closes, when open; else null. */
  seconds_left: number | null;
  /** Attempts this learner has used, by problem id (a problem not listed: none). */
  attempts: Record<string, number>;
}

/**
 * GET leaderboard: one row of a class's leaderboard, as the teacher set it up. `name`
 * is the display name the teacher chose (never the learner's account name).
 */
export interface ILeaderboardRow {
  /** 1 for the top; learners with the same points share a rank. */
  rank: number;
  name: string;
  points: number;
  /** Days in a row, up to today, on which they solved something; 0: none. */
  streak: number;
  /** True on the learner's own row in `rows`; absent on `ILeaderboard.me`. */
  me?: boolean;
}

/**
 * GET leaderboard: one entry of `boards`, the leaderboard of one of the learner's
 * cohorts whose teacher switched it on. `rows` are the top ten, best first.
 */
export interface ILeaderboard {
  /** The cohort (JupyterHub group). */
  cohort: string;
  display_name: string;
  rows: ILeaderboardRow[];
  /** The learner's own row; null when the teacher gave them no display name. */
  me: ILeaderboardRow | null;
}

/** Whether grading has ended: `graded` (with a verdict) or `failed` (without one). */
export function isFinished(status: SubmissionStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly SubmissionStatus[]).includes(status);
}
