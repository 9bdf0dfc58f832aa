/**
 * Assessments as a learner meets them: the Problems panel's "Assessments" section and
 * the question the Submit button asks, in words a child understands ("Loops quiz —
 * open, 25 min left", "opens tomorrow at 9:00", "2 attempts left"). No JupyterLab
 * imports here, so these functions are tested without a browser.
 *
 * Times: `now` is in milliseconds on the grading service's clock, that is
 * `Date.now() + clockOffset(...)`, so a school computer whose clock is a few minutes
 * off still counts down to the moment the service closes the assessment. Times of day
 * ("9:00") are shown in this computer's time zone.
 */
import type { AssessmentState, IAssessment } from './records';

/** Closed assessments stay in the panel (marked closed) this long after closing. */
export const RECENTLY_CLOSED_MS = 24 * 60 * 60 * 1000;

/** How often the panel's countdowns are rewritten while it is shown. */
export const COUNTDOWN_REFRESH_MS = 30 * 1000;

/** The submit question's button for practice (the submission is not recorded). */
export const PRACTISE_LABEL = 'Just practise';

/** The submit question's button that records the submission for `assessment`. */
export function submitForLabel(assessment: IAssessment): string {
  return `Submit for ${assessment.title}`;
}

/** The submit question's title. */
export function choiceTitle(assessment: IAssessment): string {
  return `Is this for ${assessment.title}?`;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** From this much time on, a countdown gives the day and time instead ("tomorrow at 9:00"). */
const COUNTDOWN_LIMIT = 12 * HOUR;
const STATES: readonly AssessmentState[] = ['upcoming', 'open', 'closed'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
];

/**
 * The assessments of a `GET assessments` reply, in its order. Entries without an id
 * are left out; a missing title reads as the id, a missing attempt count as none, an
 * unknown state as closed. Nothing without a list.
 */
export function readAssessments(entries: unknown): IAssessment[] {
  if (!Array.isArray(entries)) {
    return [];
  }
  const assessments: IAssessment[] = [];
  for (const entry of entries as unknown[]) {
    if (entry === null || typeof entry !== 'object') {
      continue;
    }
    const a = entry as Record<string, unknown>;
    if (typeof a.id !== 'string' || !a.id) {
      continue;
    }
    const attempts: Record<string, number> = {};
    if (a.attempts !== null && typeof a.attempts === 'object') {
      for (const [problemId, used] of Object.entries(a.attempts as Record<string, unknown>)) {
        if (typeof used === 'number' && Number.isFinite(used)) {
          attempts[problemId] = used;
        }
      }
    }
    assessments.push({
      id: a.id,
      title: typeof a.title === 'string' && a.title.trim() ? a.title.trim() : a.id,
      cohort: typeof a.cohort === 'string' ? a.cohort : '',
      problems: Array.isArray(a.problems)
        ? (a.problems as unknown[]).filter((p): p is string => typeof p === 'string')
        : [],
      opens_at: typeof a.opens_at === 'string' ? a.opens_at : '',
      closes_at: typeof a.closes_at === 'string' ? a.closes_at : '',
      max_attempts: typeof a.max_attempts === 'number' ? a.max_attempts : 0,
      state: STATES.includes(a.state as AssessmentState) ? (a.state as AssessmentState) : 'closed',
      seconds_to_open: finiteOrNull(a.seconds_to_open),
      seconds_left: finiteOrNull(a.seconds_left),
      attempts
    });
  }
  return assessments;
}

/**
 * How far the grading service's clock is ahead of this computer's (ms; negative when
 * behind), from the countdowns of a reply received at `receivedAt` (`Date.now()`).
 * 0 when no assessment in it counts down.
 */
export function clockOffset(assessments: IAssessment[], receivedAt: number): number {
  for (const a of assessments) {
    const serverNow =
      a.state === 'open' && a.seconds_left !== null
        ? closesAt(a) - a.seconds_left * 1000
        : a.state === 'upcoming' && a.seconds_to_open !== null
          ? opensAt(a) - a.seconds_to_open * 1000
          : NaN;
    if (Number.isFinite(serverNow)) {
      return serverNow - receivedAt;
    }
  }
  return 0;
}

/** When the assessment opens (ms since the epoch); NaN when its date is unreadable. */
export function opensAt(a: IAssessment): number {
  return Date.parse(a.opens_at);
}

/** When the assessment closes (ms since the epoch); NaN when its date is unreadable. */
export function closesAt(a: IAssessment): number {
  return Date.parse(a.closes_at);
}

/** Upcoming, open or closed at `now`; the service's word when its dates are unreadable. */
export function stateAt(a: IAssessment, now: number): AssessmentState {
  const opens = opensAt(a);
  const closes = closesAt(a);
  if (Number.isNaN(opens) || Number.isNaN(closes)) {
    return a.state;
  }
  return now < opens ? 'upcoming' : now < closes ? 'open' : 'closed';
}

/**
 * Attempts the learner has left on a problem of the assessment (never below 0); null
 * when the assessment sets no limit (`max_attempts` 0 or missing).
 */
export function attemptsLeft(a: IAssessment, problemId: string): number | null {
  if (!(a.max_attempts > 0)) {
    return null;
  }
  return Math.max(0, a.max_attempts - (a.attempts[problemId] ?? 0));
}

/** "2 attempts left", "1 attempt left", "No attempts left", "No limit on attempts". */
export function attemptsLeftText(left: number | null): string {
  if (left === null) {
    return 'No limit on attempts';
  }
  if (left <= 0) {
    return 'No attempts left';
  }
  return left === 1 ? '1 attempt left' : `${left} attempts left`;
}

export interface IAssessmentDescription {
  state: AssessmentState;
  /** Where the window stands: "open, 25 min left", "opens tomorrow at 9:00", "closed". */
  when: string;
  /** The title and `when`: "Loops quiz — open, 25 min left". */
  text: string;
}

/**
 * How the panel describes an assessment at `now`. Open: the time left ("open, 25 min
 * left", "open, 1 hour 5 min left"), or the closing day and time when that is 12 hours
 * or more away ("open until tomorrow at 9:00"). Upcoming: "opens in 12 min" within the
 * hour, else the day and time ("opens today at 14:30", "opens tomorrow at 9:00",
 * "opens on Monday at 9:00", "opens on 12 December at 9:00"). Closed: "closed".
 */
export function describeAssessment(a: IAssessment, now: number): IAssessmentDescription {
  const state = stateAt(a, now);
  let when: string;
  if (state === 'open') {
    const closes = closesAt(a);
    if (Number.isNaN(closes)) {
      when = 'open';
    } else if (closes - now < COUNTDOWN_LIMIT) {
      when = `open, ${duration(closes - now)} left`;
    } else {
      when = `open until ${dayAndTime(closes, now, false)}`;
    }
  } else if (state === 'upcoming') {
    const opens = opensAt(a);
    const minutes = Math.ceil((opens - now) / MINUTE);
    if (Number.isNaN(opens)) {
      when = 'not open yet';
    } else if (opens - now < MINUTE) {
      when = 'opens in less than a minute';
    } else if (minutes < 60) {
      when = `opens in ${minutes} min`;
    } else {
      when = `opens ${dayAndTime(opens, now)}`;
    }
  } else {
    when = 'closed';
  }
  return { state, when, text: `${a.title} — ${when}` };
}

/**
 * "closes in 25 min", "closes in less than a minute", "closes in 2 hours",
 * "closes tomorrow at 9:00" (12 hours or more away); "is open" without a closing date.
 */
export function closingPhrase(a: IAssessment, now: number): string {
  const closes = closesAt(a);
  if (Number.isNaN(closes)) {
    return 'is open';
  }
  return closes - now < COUNTDOWN_LIMIT
    ? `closes in ${duration(closes - now)}`
    : `closes ${dayAndTime(closes, now)}`;
}

/**
 * The submit question: "This problem is part of Loops quiz (closes in 25 min). You have
 * 2 attempts left."
 */
export function choiceMessage(a: IAssessment, problemId: string, now: number): string {
  const left = attemptsLeft(a, problemId);
  const attempts =
    left === null
      ? 'You can try as often as you like.'
      : `You have ${left === 1 ? '1 attempt' : `${left} attempts`} left.`;
  return `This problem is part of ${a.title} (${closingPhrase(a, now)}). ${attempts}`;
}

/** The result view's line for a submission recorded for an assessment. */
export function recordedForText(title: string): string {
  return `Recorded for ${title}`;
}

/**
 * The assessment a submission of `problemId` at `now` would be recorded for: an open
 * one holding the problem with attempts left, the one closing first when several are;
 * null when there is none (the submission is practice).
 */
export function assessmentFor(
  problemId: string,
  assessments: IAssessment[],
  now: number
): IAssessment | null {
  const candidates = assessments.filter(
    a =>
      stateAt(a, now) === 'open' &&
      a.problems.includes(problemId) &&
      (attemptsLeft(a, problemId) ?? 1) > 0
  );
  candidates.sort((x, y) => orNever(closesAt(x)) - orNever(closesAt(y)));
  return candidates[0] ?? null;
}

/**
 * What the panel lists at `now`: open assessments (closing first first), upcoming ones
 * (opening first first), then those closed in the last 24 hours (latest first).
 */
export function shownAssessments(assessments: IAssessment[], now: number): IAssessment[] {
  const open: IAssessment[] = [];
  const upcoming: IAssessment[] = [];
  const closed: IAssessment[] = [];
  for (const a of assessments) {
    const state = stateAt(a, now);
    if (state === 'open') {
      open.push(a);
    } else if (state === 'upcoming') {
      upcoming.push(a);
    } else if (now - closesAt(a) <= RECENTLY_CLOSED_MS) {
      closed.push(a); // an unreadable closing date (NaN) is left out
    }
  }
  open.sort((x, y) => orNever(closesAt(x)) - orNever(closesAt(y)));
  upcoming.sort((x, y) => orNever(opensAt(x)) - orNever(opensAt(y)));
  closed.sort((x, y) => closesAt(y) - closesAt(x));
  return [...open, ...upcoming, ...closed];
}

/**
 * Milliseconds until the panel should look again: at the latest after
 * `COUNTDOWN_REFRESH_MS`, and just after the next moment an assessment opens, closes
 * or leaves the list, so that the change shows on time. At least one second.
 */
export function nextTick(assessments: IAssessment[], now: number): number {
  let next = COUNTDOWN_REFRESH_MS;
  for (const a of assessments) {
    const closes = closesAt(a);
    for (const moment of [opensAt(a), closes, closes + RECENTLY_CLOSED_MS]) {
      if (moment > now) {
        next = Math.min(next, moment - now + 250);
      }
    }
  }
  return Math.max(1000, Math.ceil(next));
}

/** Each assessment's state at `now`, by id: the panel reloads when one changes. */
export function statesAt(assessments: IAssessment[], now: number): Map<string, AssessmentState> {
  return new Map(assessments.map(a => [a.id, stateAt(a, now)]));
}

/** Whether an assessment opened or closed (or came or went) between two `statesAt`. */
export function statesChanged(
  before: Map<string, AssessmentState>,
  after: Map<string, AssessmentState>
): boolean {
  if (before.size !== after.size) {
    return true;
  }
  for (const [id, state] of after) {
    if (before.get(id) !== state) {
      return true;
    }
  }
  return false;
}

/** "less than a minute", "25 min", "1 hour", "2 hours 5 min" (whole minutes, rounded down). */
export function duration(ms: number): string {
  if (ms < MINUTE) {
    return 'less than a minute';
  }
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h = hours === 1 ? '1 hour' : `${hours} hours`;
  return rest ? `${h} ${rest} min` : h;
}

/**
 * A moment as a child reads it, relative to `now`, in this computer's time zone:
 * "today at 14:30", "tomorrow at 9:00", "on Monday at 9:00" (within a week),
 * "on 12 December at 9:00", "on 3 January 2027 at 9:00" (another year). Without `on`
 * ("open until Friday at 9:00"), the weekday and the date come without it.
 */
export function dayAndTime(time: number, now: number, on = true): string {
  const date = new Date(time);
  const at = `at ${date.getHours()}:${String(date.getMinutes()).padStart(2, '0')}`;
  const days = Math.round((startOfDay(time) - startOfDay(now)) / DAY);
  if (days === 0) {
    return `today ${at}`;
  }
  if (days === 1) {
    return `tomorrow ${at}`;
  }
  const prefix = on ? 'on ' : '';
  if (days > 1 && days < 7) {
    return `${prefix}${WEEKDAYS[date.getDay()]} ${at}`;
  }
  const year = date.getFullYear() === new Date(now).getFullYear() ? '' : ` ${date.getFullYear()}`;
  return `${prefix}${date.getDate()} ${MONTHS[date.getMonth()]}${year} ${at}`;
}

function startOfDay(time: number): number {
  const date = new Date(time);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** NaN (an unreadable date) sorts last. */
function orNever(time: number): number {
  return Number.isNaN(time) ? Infinity : time;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
