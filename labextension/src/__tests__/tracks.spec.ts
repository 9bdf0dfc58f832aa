import type { IProblemProgress, IProblemSummary, IProgress, ITrack } from '../records';
import {
  buildTracks,
  firstProblem,
  initialOpenTracks,
  isFirstTime,
  learnerTrack,
  problemState,
  recommendedProblem,
  STATE_WORDS,
  streakNudge,
  summaryText
} from '../tracks';

function problem(id: string, track: string, level: number, order = 0): IProblemSummary {
  return { id, title: id, track, level, order, points: 10, kind: 'function' };
}

function progress(levels: IProgress['levels']): IProgress {
  return { user: 'ada', problems: [], levels, solved: 0, total_score: 0 };
}

const PROBLEMS = [
  problem('loops-1', 'basics', 2),
  problem('hello', 'basics', 1, 1),
  problem('add-two', 'basics', 1, 0),
  problem('maze', 'robots', 1)
];

const TRACKS: ITrack[] = [
  {
    id: 'robots',
    title: 'Robots',
    ages: '10-12',
    description: 'Steer a robot.',
    levels: [
      { track: 'robots', level: 1, title: 'Level 1', unlock_threshold: 0.5, problems: ['maze'] }
    ]
  },
  {
    id: 'basics',
    title: 'Building blocks',
    ages: '12-14',
    description: '',
    levels: [
      {
        track: 'basics',
        level: 1,
        title: 'First steps',
        unlock_threshold: 0.5,
        problems: ['hello', 'add-two']
      },
      { track: 'basics', level: 2, title: 'Loops', unlock_threshold: 0.5, problems: ['loops-1'] }
    ]
  }
];

const ids = (problems: IProblemSummary[]) => problems.map(p => p.id);

describe('buildTracks', () => {
  it('shows tracks and their problems in the order the service lists them', () => {
    const views = buildTracks(PROBLEMS, TRACKS, null);
    expect(views.map(t => [t.id, t.title, t.description])).toEqual([
      ['robots', 'Robots', 'Steer a robot.'],
      ['basics', 'Building blocks', '']
    ]);
    expect(views[1].levels.map(l => [l.level, l.title, ids(l.problems)])).toEqual([
      [1, 'First steps', ['hello', 'add-two']],
      [2, 'Loops', ['loops-1']]
    ]);
  });

  it('drops a level title that only repeats "Level N"', () => {
    const [robots] = buildTracks(PROBLEMS, TRACKS, null);
    expect(robots.levels[0].title).toBe('');
  });

  it('locks exactly the levels progress reports as not unlocked, naming the level before', () => {
    const views = buildTracks(
      PROBLEMS,
      TRACKS,
      progress([
        { track: 'robots', level: 1, unlocked: true },
        { track: 'basics', level: 1, unlocked: true },
        { track: 'basics', level: 2, unlocked: false }
      ])
    );
    const basics = views[1];
    expect(basics.levels.map(l => [l.level, l.locked, l.previous])).toEqual([
      [1, false, null],
      [2, true, 1]
    ]);
    expect(views[0].levels[0].locked).toBe(false);
  });

  it('locks nothing when progress could not be loaded', () => {
    const views = buildTracks(PROBLEMS, TRACKS, null);
    expect(views.flatMap(t => t.levels).some(l => l.locked)).toBe(false);
  });

  it('groups problems by track id and level when tracks could not be loaded', () => {
    const views = buildTracks(PROBLEMS, null, null);
    expect(views.map(t => [t.id, t.title])).toEqual([
      ['basics', 'basics'],
      ['robots', 'robots']
    ]);
    expect(views[0].levels.map(l => [l.level, ids(l.problems), l.locked])).toEqual([
      [1, ['add-two', 'hello'], false],
      [2, ['loops-1'], false]
    ]);
  });

  it('still shows problems that no track lists, after the listed tracks', () => {
    const extra = problem('bonus', 'extras', 3);
    const views = buildTracks([...PROBLEMS, extra], TRACKS, null);
    expect(views.map(t => t.id)).toEqual(['robots', 'basics', 'extras']);
    expect(views[2].levels.map(l => [l.level, ids(l.problems)])).toEqual([[3, ['bonus']]]);
  });

  it('leaves out unknown problem ids, empty levels and empty tracks', () => {
    const tracks: ITrack[] = [
      ...TRACKS,
      {
        id: 'ghosts',
        title: 'Ghosts',
        ages: '',
        description: '',
        levels: [
          { track: 'ghosts', level: 1, title: '', unlock_threshold: 0.5, problems: ['gone'] }
        ]
      }
    ];
    const views = buildTracks(
      PROBLEMS.filter(p => p.id !== 'loops-1'),
      tracks,
      null
    );
    expect(views.map(t => t.id)).toEqual(['robots', 'basics']);
    expect(views[1].levels.map(l => l.level)).toEqual([1]);
  });

  it('shows nothing without problems', () => {
    expect(buildTracks([], TRACKS, null)).toEqual([]);
  });
});

describe('initialOpenTracks', () => {
  const views = buildTracks(PROBLEMS, TRACKS, null);

  function solved(...problemIds: string[]): IProgress {
    return {
      ...progress([]),
      problems: problemIds.map(id => ({
        problem_id: id,
        attempts: 1,
        best_score: 10,
        max_score: 10,
        solved: true,
        first_solved_at: '2025-01-01T00:00:00Z'
      }))
    };
  }

  it("expands the track of the learner's cohort", () => {
    expect(initialOpenTracks(views, ['basics'])).toEqual(['basics']);
  });

  it("expands the tracks of all the learner's cohorts, in display order, once each", () => {
    expect(initialOpenTracks(views, ['basics', 'robots', 'basics'])).toEqual(['robots', 'basics']);
  });

  it('follows the cohorts even when their track is all solved', () => {
    expect(initialOpenTracks(views, ['robots'], solved('maze'))).toEqual(['robots']);
  });

  it('ignores cohort tracks that are not in the list', () => {
    expect(initialOpenTracks(views, ['ages-16-18', 'basics'])).toEqual(['basics']);
    expect(initialOpenTracks(views, ['ages-16-18'])).toEqual(['robots']);
  });

  it('without cohort tracks, expands the first track with a problem not solved yet', () => {
    expect(initialOpenTracks(views, [])).toEqual(['robots']);
    expect(initialOpenTracks(views, [], solved('maze'))).toEqual(['basics']);
  });

  it('without cohort tracks and all solved, expands the first track', () => {
    const all = solved('maze', 'hello', 'add-two', 'loops-1');
    expect(initialOpenTracks(views, [], all)).toEqual(['robots']);
  });

  it('matches cohort tracks to track ids when tracks could not be loaded', () => {
    const grouped = buildTracks(PROBLEMS, null, null);
    expect(initialOpenTracks(grouped, ['robots'])).toEqual(['robots']);
  });

  it('expands nothing when there are no tracks', () => {
    expect(initialOpenTracks([], ['basics'])).toEqual([]);
  });
});

describe('rules, guides and "Start here"', () => {
  const withExtras: ITrack[] = [
    {
      ...TRACKS[1],
      guide: { name: 'Astro', emoji: '🚀', greeting: 'Hi, I am Astro!' },
      start_here: 'Open your first problem.',
      levels: [
        TRACKS[1].levels[0],
        { ...TRACKS[1].levels[1], rule: 'Solve 1 of the 2 problems in level 1 to open this level.' }
      ]
    }
  ];

  it('carries the level rule, preferring the one progress sends', () => {
    let [basics] = buildTracks(PROBLEMS, withExtras, null);
    expect(basics.levels.map(l => l.rule)).toEqual([
      '',
      'Solve 1 of the 2 problems in level 1 to open this level.'
    ]);
    [basics] = buildTracks(
      PROBLEMS,
      withExtras,
      progress([{ track: 'basics', level: 2, unlocked: false, rule: 'Solve 1 more to open it.' }])
    );
    expect(basics.levels[1]).toMatchObject({ locked: true, rule: 'Solve 1 more to open it.' });
  });

  it("carries the track's guide and start text", () => {
    const [basics] = buildTracks(PROBLEMS, withExtras, null);
    expect(basics.guide?.name).toBe('Astro');
    expect(basics.startHere).toBe('Open your first problem.');
    const [robots] = buildTracks(PROBLEMS, TRACKS, null);
    expect(robots.guide).toBeNull();
    expect(robots.startHere).toBe('');
  });

  it('picks the first problem of the first open level', () => {
    const views = buildTracks(
      PROBLEMS,
      withExtras,
      progress([{ track: 'basics', level: 1, unlocked: false }])
    );
    expect(firstProblem(views[0])?.id).toBe('loops-1');
    expect(firstProblem(buildTracks(PROBLEMS, withExtras, null)[0])?.id).toBe('hello');
  });

  it("finds the learner's track: the class's, else the recommended one's, else the first", () => {
    const views = buildTracks(PROBLEMS, TRACKS, null);
    expect(learnerTrack(views, ['basics'], null)?.id).toBe('basics');
    const next: IProgress = {
      ...progress([]),
      next: { problem_id: 'hello', title: 'Hello', track: 'basics', level: 1 }
    };
    expect(learnerTrack(views, [], next)?.id).toBe('basics');
    expect(learnerTrack(views, [], null)?.id).toBe('robots');
    expect(learnerTrack([], [], null)).toBeNull();
  });
});

describe('problem states', () => {
  const entry = (extra: Partial<IProblemProgress>): IProblemProgress => ({
    problem_id: 'p',
    attempts: 0,
    best_score: 0,
    max_score: 10,
    solved: false,
    first_solved_at: null,
    ...extra
  });

  it('is locked in a locked level, whatever progress says', () => {
    expect(problemState(entry({ state: 'solved', solved: true }), true)).toBe('locked');
    expect(problemState(undefined, true)).toBe('locked');
  });

  it("uses the service's state", () => {
    expect(problemState(entry({ state: 'attempted', attempts: 2 }), false)).toBe('attempted');
    expect(problemState(entry({ state: 'solved', solved: true }), false)).toBe('solved');
    expect(problemState(entry({ state: 'open' }), false)).toBe('open');
  });

  it('works it out without a state (older services) and without an entry', () => {
    expect(problemState(undefined, false)).toBe('open');
    expect(problemState(entry({ attempts: 1 }), false)).toBe('attempted');
    expect(problemState(entry({ attempts: 1, solved: true }), false)).toBe('solved');
  });

  it('tells every state by a sign and words, not only colour', () => {
    for (const words of Object.values(STATE_WORDS)) {
      expect(words.icon).not.toBe('');
      expect(words.text).not.toBe('');
    }
  });
});

describe('summary line', () => {
  const base: IProgress = { ...progress([]), solved: 12, total_score: 80, points: 85 };

  it('says solved count, points and streak', () => {
    const p = { ...base, streak: { current: 3, best: 5, today: true, time_zone: 'Europe/Paris' } };
    expect(summaryText(p)).toBe('12 solved · 85 points · 🔥 3-day streak');
    expect(streakNudge(p)).toBe('');
  });

  it('leaves out a streak of zero and rounds points to one decimal', () => {
    const p = {
      ...base,
      points: 7.25,
      streak: { current: 0, best: 2, today: false, time_zone: 'UTC' }
    };
    expect(summaryText(p)).toBe('12 solved · 7.3 points');
    expect(streakNudge(p)).toBe('');
  });

  it('nudges a learner whose streak waits for today', () => {
    const p = { ...base, streak: { current: 2, best: 2, today: false, time_zone: 'UTC' } };
    expect(streakNudge(p)).toMatch(/today/);
  });

  it('falls back to total_score from older services', () => {
    expect(summaryText({ ...progress([]), solved: 1, total_score: 1 })).toBe('1 solved · 1 point');
  });

  it('knows the recommended problem', () => {
    expect(recommendedProblem(null)).toBeNull();
    expect(recommendedProblem({ ...base, next: null })).toBeNull();
    expect(
      recommendedProblem({
        ...base,
        next: { problem_id: 'hello', title: 'H', track: 'basics', level: 1 }
      })
    ).toBe('hello');
  });
});

describe('isFirstTime', () => {
  it('is true only with progress and no attempt anywhere', () => {
    expect(isFirstTime(null)).toBe(false);
    expect(isFirstTime(progress([]))).toBe(true);
    const tried: IProgress = {
      ...progress([]),
      problems: [
        {
          problem_id: 'hello',
          attempts: 1,
          best_score: 0,
          max_score: 10,
          solved: false,
          first_solved_at: null
        }
      ]
    };
    expect(isFirstTime(tried)).toBe(false);
    expect(isFirstTime({ ...progress([]), solved: 1 })).toBe(false);
  });
});
