import type { IProblemSummary, IProgress, ITrack } from '../records';
import { buildTracks, initialOpenTracks } from '../tracks';

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
