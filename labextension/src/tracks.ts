/**
 * How the Problems panel groups problems into tracks and levels. Pure functions over
 * the API's records (no JupyterLab imports), tested without a browser.
 */
import type { IGuide, IProblemProgress, IProblemSummary, IProgress, ITrack } from './records';
import { pointsWord } from './score';

/** A track as the panel shows it. */
export interface ITrackView {
  id: string;
  title: string;
  description: string;
  levels: ILevelView[];
  guide: IGuide | null;
  /** One or two sentences for a first-time learner ('' when the track has none). */
  startHere: string;
}

export interface ILevelView {
  level: number;
  /** Empty when the level has no title beyond "Level N". */
  title: string;
  locked: boolean;
  /** The level to solve more of to open this one. */
  previous: number | null;
  /** What opens the level, in words ('' when the service did not say). */
  rule: string;
  problems: IProblemSummary[];
}

/**
 * The tracks to show: those of `tracks` in their order, with locks from `progress`
 * (a level is locked only if progress says so), then problems that no track lists,
 * or all of them when the tracks could not be loaded (`tracks` null), grouped by
 * track id and level. Empty levels and tracks are left out.
 */
export function buildTracks(
  problems: IProblemSummary[],
  tracks: ITrack[] | null,
  progress: IProgress | null
): ITrackView[] {
  const byId = new Map(problems.map(p => [p.id, p]));
  const unlocked = new Map(
    (progress?.levels ?? []).map(l => [`${l.track}/${l.level}`, l.unlocked])
  );
  const rules = new Map((progress?.levels ?? []).map(l => [`${l.track}/${l.level}`, l.rule ?? '']));
  const listed = new Set<string>();
  const views: ITrackView[] = (tracks ?? []).map(track => ({
    id: track.id,
    title: track.title,
    description: track.description,
    guide: track.guide ?? null,
    startHere: track.start_here ?? '',
    levels: track.levels.map((level, i) => {
      const items = level.problems
        .map(id => byId.get(id))
        .filter((p): p is IProblemSummary => p !== undefined);
      items.forEach(p => listed.add(p.id));
      return {
        level: level.level,
        title: level.title !== `Level ${level.level}` ? level.title : '',
        locked: unlocked.get(`${track.id}/${level.level}`) === false,
        previous: i > 0 ? track.levels[i - 1].level : null,
        rule: rules.get(`${track.id}/${level.level}`) || level.rule || '',
        problems: items
      };
    })
  }));
  const rest = problems.filter(p => !listed.has(p.id));
  for (const [track, levels] of groupProblems(rest)) {
    views.push({
      id: track,
      title: track,
      description: '',
      guide: null,
      startHere: '',
      levels: [...levels].map(([level, items]) => ({
        level,
        title: '',
        locked: false,
        previous: null,
        rule: '',
        problems: items
      }))
    });
  }
  return views
    .map(t => ({ ...t, levels: t.levels.filter(l => l.problems.length > 0) }))
    .filter(t => t.levels.length > 0);
}

/** track → level → problems, in the platform's order (level, then `order`, then title). */
export function groupProblems(
  problems: IProblemSummary[]
): Map<string, Map<number, IProblemSummary[]>> {
  const sorted = [...problems].sort(
    (a, b) => a.level - b.level || a.order - b.order || a.title.localeCompare(b.title)
  );
  const tracks = new Map<string, Map<number, IProblemSummary[]>>();
  for (const problem of sorted) {
    let levels = tracks.get(problem.track);
    if (!levels) {
      levels = new Map();
      tracks.set(problem.track, levels);
    }
    const items = levels.get(problem.level) ?? [];
    items.push(problem);
    levels.set(problem.level, items);
  }
  return tracks;
}

/**
 * The tracks to expand when the panel first shows `tracks`, as ids in display order:
 * those the learner's cohorts work on (`cohortTracks`) that are among `tracks`; if
 * none is, the first track with a problem not solved yet (per `progress`), or the
 * first track when all are solved. Nothing when there are no tracks.
 */
export function initialOpenTracks(
  tracks: ITrackView[],
  cohortTracks: Iterable<string>,
  progress: IProgress | null = null
): string[] {
  const wanted = new Set(cohortTracks);
  const classTracks = tracks.filter(t => wanted.has(t.id)).map(t => t.id);
  if (classTracks.length > 0) {
    return classTracks;
  }
  const solved = new Set((progress?.problems ?? []).filter(p => p.solved).map(p => p.problem_id));
  const first =
    tracks.find(t => t.levels.some(l => l.problems.some(p => !solved.has(p.id)))) ?? tracks[0];
  return first ? [first.id] : [];
}

/** Where a learner stands on one problem, as the panel shows it. */
export type ProblemView = 'locked' | 'open' | 'attempted' | 'solved';

/**
 * A problem's state: `locked` in a locked level; else the service's `state`, or what
 * older services imply (solved, some attempts, none).
 */
export function problemState(
  progress: IProblemProgress | undefined,
  levelLocked: boolean
): ProblemView {
  if (levelLocked) {
    return 'locked';
  }
  if (!progress) {
    return 'open';
  }
  if (progress.state) {
    return progress.state;
  }
  return progress.solved ? 'solved' : progress.attempts > 0 ? 'attempted' : 'open';
}

/** Each state in words and a sign, so it is never told by colour alone. */
export const STATE_WORDS: Record<ProblemView, { icon: string; text: string }> = {
  locked: { icon: '🔒', text: 'Locked' },
  open: { icon: '○', text: 'Not started' },
  attempted: { icon: '◐', text: 'Tried, not solved yet' },
  solved: { icon: '✓', text: 'Solved' }
};

/** The words on the recommended problem. */
export const NEXT_LABEL = 'Try this next';

/** The recommended problem's id, when it is one the panel can open; else null. */
export function recommendedProblem(progress: IProgress | null): string | null {
  return progress?.next?.problem_id ?? null;
}

/**
 * The line at the top of the panel: "12 solved · 85 points · 🔥 3-day streak". The
 * streak is left out below one day; points fall back to `total_score` (older services).
 */
export function summaryText(progress: IProgress): string {
  const parts = [`${progress.solved} solved`, pointsWord(progress.points ?? progress.total_score)];
  const streak = progress.streak?.current ?? 0;
  if (streak >= 1) {
    parts.push(`🔥 ${streak}-day streak`);
  }
  return parts.join(' · ');
}

/**
 * A nudge under the summary when the learner has a streak but solved nothing today
 * yet; '' otherwise.
 */
export function streakNudge(progress: IProgress): string {
  const streak = progress.streak;
  if (!streak || streak.current < 1 || streak.today) {
    return '';
  }
  return 'Solve a problem today to keep your streak going!';
}

/** A learner who has tried nothing yet (progress known, no attempt anywhere). */
export function isFirstTime(progress: IProgress | null): boolean {
  if (!progress) {
    return false;
  }
  return progress.solved === 0 && progress.problems.every(p => p.attempts === 0 && !p.solved);
}

/**
 * The learner's own track, for its guide and "Start here": the first of their
 * class's tracks that is shown, else the recommended problem's track, else the first
 * track. Null when there are no tracks.
 */
export function learnerTrack(
  tracks: ITrackView[],
  cohortTracks: Iterable<string>,
  progress: IProgress | null
): ITrackView | null {
  const wanted = new Set(cohortTracks);
  return (
    tracks.find(t => wanted.has(t.id)) ??
    tracks.find(t => t.id === progress?.next?.track) ??
    tracks[0] ??
    null
  );
}

/** The first problem of the track's first open level; null when there is none. */
export function firstProblem(track: ITrackView): IProblemSummary | null {
  const level = track.levels.find(l => !l.locked && l.problems.length > 0);
  return level ? level.problems[0] : null;
}
