/**
 * A class's leaderboard as a learner meets it in the Problems panel: the top rows
 * ("1st Star Coder 120 points 3-day streak"), their own row marked, and "You: 14th,
 * 45 points" when they are further down. Calm and encouraging: no "last place", and
 * nothing about the learner when the teacher put them on no board. No JupyterLab
 * imports here, so these functions are tested without a browser.
 */
import type { ILeaderboard, ILeaderboardRow } from './records';

/** The heading of the panel's leaderboard section. */
export const LEADERBOARD_HEADING = 'Leaderboard';

/** Said under a board's name when no one is on it yet. */
export const EMPTY_BOARD_TEXT = 'No one is on the board yet.';

/** A streak is mentioned from this many days on. */
export const MIN_STREAK_SHOWN = 2;

/** "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th". */
export function ordinal(n: number): string {
  const whole = Math.trunc(n);
  const lastTwo = Math.abs(whole) % 100;
  const last = Math.abs(whole) % 10;
  const suffix =
    lastTwo >= 11 && lastTwo <= 13
      ? 'th'
      : last === 1
        ? 'st'
        : last === 2
          ? 'nd'
          : last === 3
            ? 'rd'
            : 'th';
  return `${whole}${suffix}`;
}

/** "45 points", "1 point", "0 points". */
export function pointsText(points: number): string {
  return points === 1 ? '1 point' : `${points} points`;
}

/** "3-day streak" from two days in a row on; '' for 0 or 1 (nothing to say). */
export function streakText(streak: number): string {
  return streak >= MIN_STREAK_SHOWN ? `${streak}-day streak` : '';
}

/** "You: 14th, 45 points", with ", 3-day streak" when the learner has one. */
export function youText(me: ILeaderboardRow): string {
  const streak = streakText(me.streak);
  return `You: ${ordinal(me.rank)}, ${pointsText(me.points)}` + (streak ? `, ${streak}` : '');
}

/**
 * Whether the board gets a "You: …" line: the learner is on the board (`me` is not
 * null) but not among its top rows (none of them is marked as theirs).
 */
export function showsYouLine(board: ILeaderboard): boolean {
  return board.me !== null && !board.rows.some(row => row.me === true);
}

/**
 * The boards of a `GET leaderboard` reply (its `boards`), in its order, read safely:
 * entries that are not boards, have no cohort or repeat one are left out; an empty
 * display name reads as the cohort; rows without a usable rank (a whole number from
 * 1), name or points are left out; a streak that is not a whole number from 0 reads
 * as 0; `me` that is not a usable row reads as null. When `me` is null, no row is
 * marked as the learner's (the panel then says nothing about them). Nothing without
 * a list.
 */
export function readLeaderboards(boards: unknown): ILeaderboard[] {
  if (!Array.isArray(boards)) {
    return [];
  }
  const read: ILeaderboard[] = [];
  const seen = new Set<string>();
  for (const entry of boards as unknown[]) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      continue;
    }
    const b = entry as Record<string, unknown>;
    if (typeof b.cohort !== 'string' || !b.cohort || seen.has(b.cohort)) {
      continue;
    }
    seen.add(b.cohort);
    const me = readRow(b.me);
    const rows: ILeaderboardRow[] = [];
    for (const item of Array.isArray(b.rows) ? (b.rows as unknown[]) : []) {
      const row = readRow(item);
      if (row) {
        const mine = me !== null && (item as Record<string, unknown>).me === true;
        rows.push({ ...row, me: mine });
      }
    }
    read.push({
      cohort: b.cohort,
      display_name:
        typeof b.display_name === 'string' && b.display_name.trim()
          ? b.display_name.trim()
          : b.cohort,
      rows,
      me
    });
  }
  return read;
}

/** A row's rank, name, points and streak; null when it has no usable rank, name or points. */
function readRow(value: unknown): ILeaderboardRow | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return null;
  }
  const { rank, name, points, streak } = value as Record<string, unknown>;
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) {
    return null;
  }
  if (typeof name !== 'string' || !name.trim()) {
    return null;
  }
  if (typeof points !== 'number' || !Number.isFinite(points)) {
    return null;
  }
  return {
    rank,
    name: name.trim(),
    points,
    streak: typeof streak === 'number' && Number.isInteger(streak) && streak > 0 ? streak : 0
  };
}
