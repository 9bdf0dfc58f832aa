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

/** GET problems/{id}. */
export interface IProblem extends IProblemSummary {
  statement: string;
  starter: string;
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

/** One test of a submission; a hidden test's `message` is empty and it has no stdout. */
export interface ITestResult {
  name: string;
  status: TestStatus;
  visibility: Visibility;
  message: string;
  stdout?: string;
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
}

/** GET progress: one entry of `problems`. */
export interface IProblemProgress {
  problem_id: string;
  attempts: number;
  best_score: number;
  max_score: number;
  solved: boolean;
  first_solved_at: string | null;
}

/** Whether a learner has opened a level (level 1 of every track always is). */
export interface ILevelProgress {
  track: string;
  level: number;
  unlocked: boolean;
}

/** GET progress. */
export interface IProgress {
  user: string;
  problems: IProblemProgress[];
  levels: ILevelProgress[];
  solved: number;
  total_score: number;
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
}

/** GET tracks: one entry of `tracks`, in display order. */
export interface ITrack {
  id: string;
  title: string;
  ages: string;
  description: string;
  levels: ILevel[];
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
