/**
 * The "space left" line of the Problems panel, in words a child understands. No
 * JupyterLab imports here, so these functions are tested without a browser.
 */
import type { ISpaceUsage } from './records';

/** How full the learner's space is: the line's style follows it. */
export type SpaceLevel = 'ok' | 'low' | 'full';

export interface ISpaceDescription {
  /** The line itself. */
  text: string;
  /** What to do about it when space is low; '' when there is nothing to do. */
  hint: string;
  level: SpaceLevel;
  /** Longer detail for the tooltip: used, quota, free and the largest file allowed. */
  title: string;
}

/**
 * Units of 1024, named as JupyterLab's file browser names them ("KB", "MB"), so the
 * sizes learners see there and here agree.
 */
const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'];
const STEP = 1024;

/** Below this much free space the line warns, whatever the quota. */
export const LOW_SPACE_BYTES = 5 * STEP * STEP;

/** Below this share of the quota left, the line warns. */
export const LOW_SPACE_SHARE = 0.1;

/**
 * A size for people: "512 bytes", "4.5 MB", "38 MB", "3.2 GB". One decimal below 10
 * (none when it is 0), whole numbers above; a value that rounds up to 1024 moves to
 * the next unit ("1 MB", not "1024 KB"). Negative or non-finite sizes read as 0.
 */
export function formatBytes(bytes: number): string {
  const n = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  if (n < STEP) {
    const whole = Math.round(n);
    return whole === 1 ? '1 byte' : `${whole} bytes`;
  }
  let value = n / STEP;
  let unit = 0;
  for (;;) {
    const rounded = roundSize(value);
    if (rounded < STEP || unit === UNITS.length - 1) {
      return `${rounded} ${UNITS[unit]}`;
    }
    value /= STEP;
    unit += 1;
  }
}

/** One decimal below 10 ("4.5", "3"), whole numbers from 10 on ("38"). */
function roundSize(value: number): number {
  const tenths = Math.round(value * 10) / 10;
  return tenths < 10 ? tenths : Math.round(value);
}

/**
 * What the panel says about the learner's space, or null when the reply does not
 * hold usable numbers (the line is then hidden, like when the call fails).
 *
 * - full (`free_bytes` ≤ 0): "Your space is full. Delete some files to save new work."
 * - with a quota: "Your space: 12 MB of 200 MB used"; low when less than 10 % of it
 *   or less than 5 MB is left: "Your space is nearly full: 4 MB left of 200 MB".
 * - without a quota (`free_bytes` is then the disk's): "Space left: 3.2 GB"; low
 *   under 5 MB only, since the size of the disk is unknown.
 */
export function describeSpace(space: ISpaceUsage): ISpaceDescription | null {
  if (!space || !isSize(space.used_bytes) || !isSize(space.free_bytes, true)) {
    return null;
  }
  const quota = isSize(space.quota_bytes) ? space.quota_bytes : null;
  const upload = isSize(space.max_upload_bytes) ? space.max_upload_bytes : null;
  const free = Math.max(0, space.free_bytes);
  const used = space.used_bytes;

  const details = [`Used: ${formatBytes(used)}`];
  if (quota !== null) {
    details.push(`Space in all: ${formatBytes(quota)}`);
  }
  details.push(`Free: ${formatBytes(free)}`);
  if (upload !== null) {
    details.push(`Largest file you can save: ${formatBytes(upload)}`);
  }
  const title = details.join('\n');

  if (free <= 0) {
    return {
      text: 'Your space is full. Delete some files to save new work.',
      hint: '',
      level: 'full',
      title
    };
  }
  const low = free < LOW_SPACE_BYTES || (quota !== null && free < quota * LOW_SPACE_SHARE);
  const hint = low ? "Delete files you don't need." : '';
  const level: SpaceLevel = low ? 'low' : 'ok';
  if (quota === null) {
    return { text: `Space left: ${formatBytes(free)}`, hint, level, title };
  }
  const text = low
    ? `Your space is nearly full: ${formatBytes(free)} left of ${formatBytes(quota)}`
    : `Your space: ${formatBytes(used)} of ${formatBytes(quota)} used`;
  return { text, hint, level, title };
}

/** A byte count: a finite number, not negative (unless `signed`: free may dip below 0). */
function isSize(value: unknown, signed = false): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (signed || value >= 0);
}
