/**
 * What the result side panel shows for a submission or a practice check, as plain
 * data: the status line (read out by screen readers), the verdict in words said by
 * the track's guide, the score, and one row per test with a diff of expected and
 * printed output where the service sent one. No JupyterLab imports.
 */
import { ApiError, describeError, retryCountdownText } from './errors';
import { diffTip, IDiffLine, lineDiff } from './lineDiff';
import type {
  ICheckResult,
  IFunctionDetail,
  IGuide,
  IProgramDetail,
  IRunResult,
  ISubmission,
  ITestResult,
  Verdict
} from './records';
import { formatScore } from './score';
import { explainVerdict, verdictHeadline } from './verdictWords';

/** Where the panel stands for the problem it shows. */
export type ResultState =
  | { kind: 'idle' }
  | { kind: 'saving'; practice: boolean }
  | { kind: 'sending'; practice: boolean }
  | { kind: 'queued'; position: number | null }
  | { kind: 'running' }
  | { kind: 'graded'; submission: ISubmission }
  | { kind: 'checked'; check: ICheckResult }
  /** `retryAt`: when the learner may send again (ms since the epoch), for 429/503. */
  | { kind: 'error'; message: string; retryAt: number | null; practice: boolean };

/** The mark next to a practice check's result. */
export const PRACTICE_LABEL = 'Practice check — not sent to your teacher';

/** One test as the panel shows it. */
export interface ITestRow {
  name: string;
  passed: boolean;
  hidden: boolean;
  /** "Passed", "Not passed", "Error", "Skipped"; a hidden test only passes or not. */
  result: string;
  /** The test's message in full ('' for hidden tests). */
  message: string;
  /** Program tests: the input used, when there was one. */
  input: string | null;
  /** Program tests: expected vs printed output, line by line. */
  diff: IDiffLine[] | null;
  /** A hint about differences that are easy to miss ('' when none). */
  diffTip: string;
  /** Function tests: "add(2, 3) gave None, expected 5", unless the message says it. */
  call: string;
  /** What the test printed ('' when nothing or hidden). */
  stdout: string;
}

export interface IResultView {
  /** One line for the live region. */
  status: string;
  busy: boolean;
  practice: boolean;
  /** Null while there is no verdict to show. */
  outcome: 'pass' | 'fail' | null;
  headline: string;
  /** The guide's words about the verdict. */
  explanation: string;
  /** "Score: 1.7 / 10" (submissions only). */
  score: string;
  /** The summary of the tests, said once: the service's message, or "3 of 5 tests passed." */
  summary: string;
  tests: ITestRow[];
  /** Set for busy answers (429/503): the live countdown ("You can send again in 6 s."). */
  countdown: string;
}

const EMPTY: IResultView = {
  status: '',
  busy: false,
  practice: false,
  outcome: null,
  headline: '',
  explanation: '',
  score: '',
  summary: '',
  tests: [],
  countdown: ''
};

/** "You are number 2 in the queue", "You are next in the queue!", or no place known. */
export function queueText(position: number | null | undefined): string {
  if (position === null || position === undefined || position < 1) {
    return 'Waiting in the queue…';
  }
  return position === 1 ? 'You are next in the queue!' : `You are number ${position} in the queue.`;
}

/** Seconds until `retryAt` (ms since the epoch), rounded up; 0 once passed. */
export function secondsLeft(retryAt: number, now: number): number {
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}

/** The view of `state` at time `now` (for the countdown), the guide speaking. */
export function describeResult(
  state: ResultState,
  guide: IGuide | null = null,
  now: number = Date.now()
): IResultView {
  switch (state.kind) {
    case 'idle':
      return { ...EMPTY };
    case 'saving':
      return { ...EMPTY, busy: true, practice: state.practice, status: 'Saving your file…' };
    case 'sending':
      return {
        ...EMPTY,
        busy: true,
        practice: state.practice,
        status: state.practice ? 'Checking your code…' : 'Sending your code…'
      };
    case 'queued':
      return { ...EMPTY, busy: true, status: queueText(state.position) };
    case 'running':
      return { ...EMPTY, busy: true, status: 'Running the tests on your code…' };
    case 'error': {
      const countdown =
        state.retryAt !== null ? retryCountdownText(secondsLeft(state.retryAt, now)) : '';
      return { ...EMPTY, practice: state.practice, status: state.message, countdown };
    }
    case 'graded': {
      const s = state.submission;
      const verdict: Verdict | null = s.status === 'graded' ? s.verdict : null;
      return verdictView(verdict, guide, {
        practice: false,
        score: s.score !== null ? `Score: ${formatScore(s.score, s.max_score)}` : '',
        message: s.message,
        passed: s.passed,
        total: s.total,
        tests: s.tests
      });
    }
    case 'checked': {
      const c = state.check;
      return verdictView(c.verdict, guide, {
        practice: true,
        score: '',
        message: c.message,
        passed: c.passed,
        total: c.total,
        tests: c.tests
      });
    }
  }
}

function verdictView(
  verdict: Verdict | null,
  guide: IGuide | null,
  r: {
    practice: boolean;
    score: string;
    message: string;
    passed: number | null;
    total: number | null;
    tests: ITestResult[];
  }
): IResultView {
  const headline = verdictHeadline(verdict);
  return {
    ...EMPTY,
    status: r.practice ? `Practice check: ${headline}` : headline,
    practice: r.practice,
    outcome: verdict === null ? null : verdict === 'passed' ? 'pass' : 'fail',
    headline,
    explanation: explainVerdict(verdict, guide),
    score: r.score,
    summary: summaryOf(r.message, r.passed, r.total),
    tests: r.tests.map(testRow)
  };
}

/** The service's message when it has one, else "3 of 5 tests passed." (once, never both). */
export function summaryOf(message: string, passed: number | null, total: number | null): string {
  if (message.trim()) {
    return message.trim();
  }
  if (total === null || total === 0) {
    return '';
  }
  return total === 1
    ? `${passed ?? 0} of 1 test passed.`
    : `${passed ?? 0} of ${total} tests passed.`;
}

const RESULT_WORDS: Record<string, string> = {
  pass: 'Passed',
  fail: 'Not passed',
  error: 'Error',
  skipped: 'Skipped'
};

export function isProgramDetail(detail: ITestResult['detail']): detail is IProgramDetail {
  return !!detail && typeof (detail as IProgramDetail).stdin === 'string';
}

export function isFunctionDetail(detail: ITestResult['detail']): detail is IFunctionDetail {
  return !!detail && typeof (detail as IFunctionDetail).call === 'string';
}

/** "add(2, 3) gave None, expected 5". */
export function callText(detail: IFunctionDetail): string {
  return `${detail.call} gave ${detail.got}, expected ${detail.expected}`;
}

/** A test's row: hidden tests say their name and pass or not, nothing more. */
export function testRow(test: ITestResult): ITestRow {
  const hidden = test.visibility === 'hidden';
  const passed = test.status === 'pass';
  const row: ITestRow = {
    name: test.name,
    passed,
    hidden,
    result: passed ? 'Passed' : hidden ? 'Not passed' : (RESULT_WORDS[test.status] ?? test.status),
    message: '',
    input: null,
    diff: null,
    diffTip: '',
    call: '',
    stdout: ''
  };
  if (hidden) {
    return row;
  }
  row.message = test.message ?? '';
  row.stdout = test.stdout ?? '';
  const detail = test.detail;
  if (isProgramDetail(detail)) {
    row.input = detail.stdin;
    row.diff = lineDiff(detail.expected, detail.got);
    row.diffTip = diffTip(detail.expected, detail.got);
  } else if (isFunctionDetail(detail)) {
    const call = callText(detail);
    // The service's message usually says it already: then once is enough.
    row.call = row.message.includes(call) ? '' : call;
  }
  return row;
}

/** "Input used: 3⏎5" — the typed input a program test fed in, newlines shown. */
export function inputText(stdin: string): string {
  return stdin === ''
    ? 'Input used: (none)'
    : `Input used: ${stdin.replace(/\n$/, '').replace(/\n/g, ' ⏎ ')}`;
}

/** The state to show for a submission the service answered about. */
export function submissionState(submission: ISubmission): ResultState {
  switch (submission.status) {
    case 'queued':
      return { kind: 'queued', position: submission.position ?? null };
    case 'running':
      return { kind: 'running' };
    default:
      return { kind: 'graded', submission };
  }
}

/**
 * The state to show for a failed call: the server's words, and for a busy answer
 * (429 / 503 with Retry-After) the moment the learner may send again.
 */
export function errorState(
  error: unknown,
  practice: boolean,
  now: number = Date.now()
): ResultState {
  const retryAt =
    error instanceof ApiError && error.isBusy && error.retryAfterSeconds !== null
      ? now + error.retryAfterSeconds * 1000
      : null;
  return { kind: 'error', message: describeError(error), retryAt, practice };
}

/** Whether the send buttons wait (a busy answer's countdown is still running). */
export function mustWait(state: ResultState, now: number = Date.now()): boolean {
  return state.kind === 'error' && state.retryAt !== null && state.retryAt > now;
}

/** What "Run with input" shows: the printed text, then any error in words. */
export interface IRunView {
  output: string;
  /** '' when the program ended well. */
  problem: string;
}

export function runView(result: IRunResult): IRunView {
  const problem = result.timed_out
    ? 'Your program took too long, so it was stopped. Is there a loop that never stops, ' +
      'or is it waiting for more input than you typed?'
    : (result.error ?? '');
  return {
    output: result.stdout === '' ? '(Your program printed nothing.)' : result.stdout,
    problem
  };
}
