/**
 * The learner's earlier submissions of a problem, as the result panel lists them:
 * newest first, a page at a time ("Show older"), each with its verdict in words, its
 * score and its local time. No JupyterLab imports.
 */
import type { IOwnSubmission, ISubmissionPage } from './records';
import { formatScore } from './score';
import { VERDICT_SHORT } from './verdictWords';

/** Submissions asked for per page. */
export const HISTORY_PAGE_SIZE = 10;

export interface IHistory {
  items: IOwnSubmission[];
  /** The cursor of the next (older) page; null when there is none. */
  next: string | null;
  /** At least one page has arrived. */
  loaded: boolean;
}

export const EMPTY_HISTORY: IHistory = { items: [], next: null, loaded: false };

/**
 * The history after a page arrived: `first` (the newest page) replaces the list,
 * else the page is added below, leaving out any submission already listed.
 */
export function addPage(history: IHistory, page: ISubmissionPage, first: boolean): IHistory {
  const before = first ? [] : history.items;
  const seen = new Set(before.map(s => s.id));
  return {
    items: [...before, ...page.submissions.filter(s => !seen.has(s.id))],
    next: page.next,
    loaded: true
  };
}

/** Whether to offer "Show older". */
export function hasOlder(history: IHistory): boolean {
  return history.next !== null;
}

/** What the list says when it is empty. */
export const EMPTY_HISTORY_TEXT = 'You have not sent this problem yet.';

export interface IHistoryRow {
  id: string;
  verdict: string;
  score: string;
  time: string;
  /** The whole row for a screen reader. */
  label: string;
}

/** One row: "Passed · 10 / 10 · Today 14:05". */
export function historyRow(submission: IOwnSubmission, now: Date = new Date()): IHistoryRow {
  const verdict =
    submission.status === 'queued' || submission.status === 'running'
      ? 'Waiting'
      : submission.status === 'graded' && submission.verdict
        ? VERDICT_SHORT[submission.verdict]
        : 'Not checked';
  const score =
    submission.score !== null && submission.score !== undefined
      ? formatScore(submission.score, submission.max_score)
      : '';
  const time = localTime(submission.created_at, now);
  const label = [verdict, score ? `score ${score}` : '', time].filter(Boolean).join(', ');
  return { id: submission.id, verdict, score, time, label };
}

/**
 * A moment in the learner's own time zone: "Today 14:05", "Yesterday 09:10", or
 * "3 Mar 14:05" ("3 Mar 2024 14:05" in another year). '' for a date that cannot be read.
 */
export function localTime(iso: string, now: Date = new Date()): string {
  const when = new Date(iso);
  if (!iso || Number.isNaN(when.getTime())) {
    return '';
  }
  const hhmm = `${pad(when.getHours())}:${pad(when.getMinutes())}`;
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(when)) / (24 * 3600 * 1000));
  if (days === 0) {
    return `Today ${hhmm}`;
  }
  if (days === 1) {
    return `Yesterday ${hhmm}`;
  }
  const date = `${when.getDate()} ${MONTHS[when.getMonth()]}`;
  return when.getFullYear() === now.getFullYear()
    ? `${date} ${hhmm}`
    : `${date} ${when.getFullYear()} ${hhmm}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
