import {
  EMPTY_BOARD_TEXT,
  LEADERBOARD_HEADING,
  ordinal,
  pointsText,
  readLeaderboards,
  showsYouLine,
  streakText,
  youText
} from '../leaderboard';
import type { ILeaderboard } from '../records';

/** The example of the grading service's contract: the learner is 4th, not in the rows. */
const REPLY = {
  boards: [
    {
      cohort: '7a',
      display_name: 'Class 7A',
      rows: [
        { rank: 1, name: 'Star Coder', points: 120, streak: 3, me: false },
        { rank: 2, name: 'Blue Fox', points: 80, streak: 0, me: false },
        { rank: 2, name: 'Pixel', points: 80, streak: 1, me: false }
      ],
      me: { rank: 4, name: 'Rocket', points: 45, streak: 0 }
    }
  ]
};

function board(extra: Partial<ILeaderboard> = {}): ILeaderboard {
  return {
    cohort: '7a',
    display_name: 'Class 7A',
    rows: [
      { rank: 1, name: 'Star Coder', points: 120, streak: 3, me: false },
      { rank: 2, name: 'Rocket', points: 45, streak: 0, me: true }
    ],
    me: { rank: 2, name: 'Rocket', points: 45, streak: 0 },
    ...extra
  };
}

describe('ordinal', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [10, '10th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [14, '14th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [101, '101st'],
    [111, '111th'],
    [112, '112th'],
    [113, '113th'],
    [1002, '1002nd']
  ])('%d is %s', (n, text) => {
    expect(ordinal(n)).toBe(text);
  });
});

describe('pointsText', () => {
  it('says points, and point for one', () => {
    expect(pointsText(45)).toBe('45 points');
    expect(pointsText(1)).toBe('1 point');
    expect(pointsText(0)).toBe('0 points');
  });
});

describe('streakText', () => {
  it('mentions a streak from two days in a row on', () => {
    expect(streakText(2)).toBe('2-day streak');
    expect(streakText(3)).toBe('3-day streak');
    expect(streakText(30)).toBe('30-day streak');
  });

  it('says nothing for no streak or a single day', () => {
    expect(streakText(0)).toBe('');
    expect(streakText(1)).toBe('');
  });
});

describe('youText', () => {
  it('gives the place and the points', () => {
    expect(youText({ rank: 14, name: 'Rocket', points: 45, streak: 0 })).toBe(
      'You: 14th, 45 points'
    );
    expect(youText({ rank: 22, name: 'Rocket', points: 1, streak: 1 })).toBe('You: 22nd, 1 point');
  });

  it('adds the streak when there is one', () => {
    expect(youText({ rank: 11, name: 'Rocket', points: 30, streak: 4 })).toBe(
      'You: 11th, 30 points, 4-day streak'
    );
  });

  it('never speaks of a last place', () => {
    const text = youText({ rank: 31, name: 'Rocket', points: 0, streak: 0 });
    expect(text).toBe('You: 31st, 0 points');
    expect(text.toLowerCase()).not.toContain('last');
  });
});

describe('showsYouLine', () => {
  it('is false when the learner is among the top rows', () => {
    expect(showsYouLine(board())).toBe(false);
  });

  it('is true when the learner is on the board but below the top rows', () => {
    expect(showsYouLine(readLeaderboards(REPLY.boards)[0])).toBe(true);
  });

  it('is false when the learner is not on the board', () => {
    const rows = board().rows.map(row => ({ ...row, me: false }));
    expect(showsYouLine(board({ rows, me: null }))).toBe(false);
  });

  it('is true on an empty board the learner is on', () => {
    expect(showsYouLine(board({ rows: [] }))).toBe(true);
  });
});

describe('readLeaderboards', () => {
  it('reads the reply of the contract as it is', () => {
    expect(readLeaderboards(REPLY.boards)).toEqual(REPLY.boards);
  });

  it('reads no boards as none', () => {
    expect(readLeaderboards([])).toEqual([]);
  });

  it.each([undefined, null, 'boards', 3, { cohort: '7a' }])(
    'reads %p (not a list) as no boards',
    value => {
      expect(readLeaderboards(value)).toEqual([]);
    }
  );

  it('leaves out entries that are not boards, have no cohort or repeat one', () => {
    const boards = readLeaderboards([
      null,
      'x',
      [],
      { display_name: 'No cohort', rows: [] },
      { cohort: '', rows: [] },
      { cohort: 7, rows: [] },
      { cohort: '7a', display_name: 'Class 7A', rows: [], me: null },
      { cohort: '7a', display_name: 'Again', rows: [], me: null }
    ]);
    expect(boards.map(b => b.display_name)).toEqual(['Class 7A']);
  });

  it('reads a missing display name as the cohort, and missing rows as none', () => {
    expect(readLeaderboards([{ cohort: '7b', display_name: '  ' }])).toEqual([
      { cohort: '7b', display_name: '7b', rows: [], me: null }
    ]);
  });

  it('leaves out rows without a usable rank, name or points', () => {
    const [read] = readLeaderboards([
      {
        cohort: '7a',
        display_name: 'Class 7A',
        rows: [
          null,
          'Star Coder',
          { rank: 0, name: 'Zero', points: 1, streak: 0 },
          { rank: 1.5, name: 'Half', points: 1, streak: 0 },
          { rank: '1', name: 'Text', points: 1, streak: 0 },
          { rank: 1, name: '', points: 1, streak: 0 },
          { rank: 1, name: 42, points: 1, streak: 0 },
          { rank: 1, name: 'No points', streak: 0 },
          { rank: 1, name: 'Infinite', points: Infinity, streak: 0 },
          { rank: 1, name: ' Star Coder ', points: 120, streak: 3, me: false }
        ],
        me: null
      }
    ]);
    expect(read.rows).toEqual([{ rank: 1, name: 'Star Coder', points: 120, streak: 3, me: false }]);
  });

  it('reads an unusable streak as none', () => {
    const [read] = readLeaderboards([
      {
        cohort: '7a',
        rows: [
          { rank: 1, name: 'A', points: 3, streak: -2 },
          { rank: 2, name: 'B', points: 2, streak: '5' },
          { rank: 3, name: 'C', points: 1, streak: 2.5 },
          { rank: 4, name: 'D', points: 0 }
        ],
        me: null
      }
    ]);
    expect(read.rows.map(r => r.streak)).toEqual([0, 0, 0, 0]);
  });

  it('marks the learner only with a true "me"', () => {
    const [read] = readLeaderboards([
      {
        cohort: '7a',
        rows: [
          { rank: 1, name: 'A', points: 3, streak: 0, me: 'yes' },
          { rank: 2, name: 'Rocket', points: 2, streak: 0, me: true }
        ],
        me: { rank: 2, name: 'Rocket', points: 2, streak: 0 }
      }
    ]);
    expect(read.rows.map(r => r.me)).toEqual([false, true]);
    expect(read.me).toEqual({ rank: 2, name: 'Rocket', points: 2, streak: 0 });
    expect(showsYouLine(read)).toBe(false);
  });

  it.each([undefined, 'Rocket', { rank: 'fourth', name: 'Rocket', points: 45 }])(
    'reads an unusable me (%p) as null, and then marks no row as the learner',
    me => {
      const [read] = readLeaderboards([
        {
          cohort: '7a',
          rows: [{ rank: 1, name: 'Rocket', points: 45, streak: 0, me: true }],
          me
        }
      ]);
      expect(read.me).toBeNull();
      expect(read.rows[0].me).toBe(false);
      expect(showsYouLine(read)).toBe(false);
    }
  );
});

describe('wording', () => {
  it('is calm', () => {
    expect(LEADERBOARD_HEADING).toBe('Leaderboard');
    expect(EMPTY_BOARD_TEXT).toBe('No one is on the board yet.');
  });
});
