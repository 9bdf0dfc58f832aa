/**
 * What the problems panel loads, and when: each part of the panel comes from one call,
 * and each event reloads only the parts it can change. No JupyterLab imports (the
 * client is only a type here), so this is tested without a browser.
 */
import { busyRetrySeconds, IBusyAnswer } from './backoff';
import type {
  IAssessment,
  ILeaderboard,
  IMe,
  IProblemSummary,
  IProgress,
  ISpaceUsage,
  ITrack
} from './records';
import type { ICodeRunnerClient } from './tokens';

/** The answers the panel is drawn from, one call each. */
export interface IPanelData {
  problems: IProblemSummary[];
  tracks: ITrack[];
  /** Solved/tried, scores, locks, summary, streak and "Try this next". */
  progress: IProgress;
  /** The learner's cohorts (the class line, "Your class" tracks). */
  me: IMe;
  /** With the attempts used on each problem. */
  assessments: IAssessment[];
  leaderboard: ILeaderboard[];
  space: ISpaceUsage;
}

export type PanelPart = keyof IPanelData;

export const ALL_PARTS: readonly PanelPart[] = [
  'problems',
  'tracks',
  'progress',
  'me',
  'assessments',
  'leaderboard',
  'space'
];

/**
 * What a verdict can change: progress (and with it the summary, streak and next
 * problem), the attempts used on assessments, and the leaderboard.
 */
export const VERDICT_PARTS: readonly PanelPart[] = ['progress', 'assessments', 'leaderboard'];

/**
 * - `open`: the panel's first load; `reload`: the toolbar's reload button.
 * - `check`: a practice check finished. It ran in the learner's own container and
 *   changed nothing on the grading service (`extension/handlers.py` CheckHandler only
 *   reads the public tests), and the panel shows nothing a check changes.
 * - `submission`: a submission reached its verdict.
 */
export type PanelEvent = 'open' | 'reload' | 'check' | 'submission';

/**
 * The parts to load after `event`, given the parts that have loaded at least once
 * (`loaded`): after a verdict, the list is drawn again from the problems it already
 * has, so problems (and tracks) are asked for only when they never arrived.
 */
export function partsFor(
  event: PanelEvent,
  loaded: ReadonlySet<PanelPart> = new Set(ALL_PARTS)
): PanelPart[] {
  switch (event) {
    case 'open':
    case 'reload':
      return [...ALL_PARTS];
    case 'check':
      return [];
    case 'submission': {
      const parts = [...VERDICT_PARTS];
      if (!loaded.has('problems')) {
        parts.unshift('problems', ...(loaded.has('tracks') ? [] : (['tracks'] as PanelPart[])));
      }
      return parts;
    }
  }
}

/** The calls the panel makes. */
export type PanelClient = Pick<
  ICodeRunnerClient,
  | 'listProblems'
  | 'listTracks'
  | 'getProgress'
  | 'getMe'
  | 'listAssessments'
  | 'getLeaderboard'
  | 'getSpace'
>;

const CALLS: { [P in PanelPart]: (client: PanelClient) => Promise<IPanelData[P]> } = {
  problems: client => client.listProblems(),
  tracks: client => client.listTracks(),
  progress: client => client.getProgress(),
  me: client => client.getMe(),
  assessments: client => client.listAssessments(),
  leaderboard: client => client.getLeaderboard(),
  space: client => client.getSpace()
};

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Answers of some parts (a part is present when it was asked for). */
export type PanelResults = { [P in PanelPart]?: Settled<IPanelData[P]> };

/**
 * Parts drawn together: the list needs problems, tracks and progress at once; the
 * others show as soon as their own answer arrives and never hold the list back.
 */
export const PART_GROUPS: readonly (readonly PanelPart[])[] = [
  ['problems', 'tracks', 'progress'],
  ['me'],
  ['assessments'],
  ['leaderboard'],
  ['space']
];

/**
 * Asks for `parts` (all at once) and hands each group's answers to `deliver` as they
 * arrive. Resolves when all have, with the parts that got a busy answer (429 / 503)
 * and the longest wait asked for, or null when none did.
 */
export async function loadParts(
  client: PanelClient,
  parts: ReadonlySet<PanelPart>,
  deliver: (results: PanelResults) => void
): Promise<IBusyAnswer<PanelPart> | null> {
  const busy: PanelPart[] = [];
  let wait = 0;
  await Promise.all(
    PART_GROUPS.map(async group => {
      const wanted = group.filter(part => parts.has(part));
      if (wanted.length === 0) {
        return;
      }
      const answers = await Promise.all(wanted.map(part => settle<unknown>(CALLS[part](client))));
      const results: Record<string, Settled<unknown>> = {};
      wanted.forEach((part, i) => {
        const answer = answers[i];
        results[part] = answer;
        const seconds = answer.ok ? null : busyRetrySeconds(answer.error);
        if (seconds !== null) {
          busy.push(part);
          wait = Math.max(wait, seconds);
        }
      });
      try {
        deliver(results);
      } catch (error) {
        console.error('Code Runner: could not show', wanted.join(', '), error);
      }
    })
  );
  return busy.length > 0 ? { parts: busy, retryAfterSeconds: wait } : null;
}

async function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error };
  }
}
