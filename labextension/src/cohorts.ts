/**
 * The learner's cohorts (school classes, clubs) as the Problems panel shows them: a
 * calm line with their names and a "Your class" mark on the tracks they work on. No
 * JupyterLab imports here, so these functions are tested without a browser.
 */
import type { ICohort, IMe } from './records';

/** Between two cohort names on the panel's cohort line. */
export const COHORT_SEPARATOR = ' · ';

/**
 * The cohorts of a `GET me` reply, in its order. The reply is only a hint for the
 * panel: entries that are not cohorts are left out, an empty display name falls back
 * to the cohort's name and an empty track reads as none. Nothing without a reply.
 */
export function learnerCohorts(me: IMe | null): ICohort[] {
  const entries: unknown = me?.cohorts;
  if (!Array.isArray(entries)) {
    return [];
  }
  const cohorts: ICohort[] = [];
  for (const entry of entries as unknown[]) {
    if (entry === null || typeof entry !== 'object') {
      continue;
    }
    const { name, display_name: displayName, track } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !name) {
      continue;
    }
    cohorts.push({
      name,
      display_name:
        typeof displayName === 'string' && displayName.trim() ? displayName.trim() : name,
      track: typeof track === 'string' && track ? track : null
    });
  }
  return cohorts;
}

/**
 * The panel's cohort line: the cohorts' display names, each once, in order ("Class 7A",
 * "Class 7A · Coding club"); '' without cohorts.
 */
export function cohortLine(cohorts: ICohort[]): string {
  return displayNames(cohorts).join(COHORT_SEPARATOR);
}

/** The tracks the cohorts work on, each once, in the cohorts' order. */
export function cohortTracks(cohorts: ICohort[]): string[] {
  return unique(cohorts.map(c => c.track).filter((t): t is string => t !== null));
}

/**
 * The tooltip of a track's "Your class" mark: who works on it ("Class 7A works on this
 * track", "Class 7A and Coding club work on this track"); '' when none of the cohorts
 * does, and then the track has no mark.
 */
export function classTrackTitle(cohorts: ICohort[], trackId: string): string {
  const names = displayNames(cohorts.filter(c => c.track === trackId));
  if (names.length === 0) {
    return '';
  }
  const who =
    names.length === 1
      ? names[0]
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${who} ${names.length === 1 ? 'works' : 'work'} on this track`;
}

function displayNames(cohorts: ICohort[]): string[] {
  return unique(cohorts.map(c => c.display_name));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
