/**
 * How the Problems panel groups problems into tracks and levels. Pure functions over
 * the API's records (no JupyterLab imports), tested without a browser.
 */
import type { IProblemSummary, IProgress, ITrack } from './records';

/** A track as the panel shows it. */
export interface ITrackView {
  id: string;
  title: string;
  description: string;
  levels: ILevelView[];
}

export interface ILevelView {
  level: number;
  /** Empty when the level has no title beyond "Level N". */
  title: string;
  locked: boolean;
  /** The level to solve more of to open this one. */
  previous: number | null;
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
  const listed = new Set<string>();
  const views: ITrackView[] = (tracks ?? []).map(track => ({
    id: track.id,
    title: track.title,
    description: track.description,
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
      levels: [...levels].map(([level, items]) => ({
        level,
        title: '',
        locked: false,
        previous: null,
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
