import {
  assessmentFor,
  attemptsLeft,
  attemptsLeftText,
  choiceMessage,
  choiceTitle,
  clockOffset,
  closingPhrase,
  COUNTDOWN_REFRESH_MS,
  dayAndTime,
  describeAssessment,
  duration,
  nextTick,
  PRACTISE_LABEL,
  readAssessments,
  recordedForText,
  shownAssessments,
  stateAt,
  statesAt,
  statesChanged,
  submitForLabel
} from '../assessments';
import type { IAssessment } from '../records';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;

/** A local time (this computer's time zone) on Wednesday 2 December 2026. */
function at(hours: number, minutes = 0, day = 2, month = 11, year = 2026): number {
  return new Date(year, month, day, hours, minutes).getTime();
}

const NOW = at(9, 20);

function assessment(
  id: string,
  opens: number,
  closes: number,
  extra: Partial<IAssessment> = {}
): IAssessment {
  return {
    id,
    title: 'Loops quiz',
    cohort: '7a',
    problems: ['add-two', 'count-vowels'],
    opens_at: new Date(opens).toISOString(),
    closes_at: new Date(closes).toISOString(),
    max_attempts: 3,
    state: 'open',
    seconds_to_open: null,
    seconds_left: null,
    attempts: {},
    ...extra
  };
}

/** Open from 9:00 to 9:45 on the day of NOW: 25 min left at NOW. */
const QUIZ = assessment('quiz-1', at(9), at(9, 45), { attempts: { 'add-two': 1 } });

describe('describeAssessment', () => {
  it('says how long an open assessment stays open', () => {
    expect(describeAssessment(QUIZ, NOW)).toEqual({
      state: 'open',
      when: 'open, 25 min left',
      text: 'Loops quiz — open, 25 min left'
    });
  });

  it('rounds the time left down to whole minutes, and says when less than one is left', () => {
    expect(describeAssessment(QUIZ, at(9, 45) - 25.9 * MIN).when).toBe('open, 25 min left');
    expect(describeAssessment(QUIZ, at(9, 45) - 61 * 1000).when).toBe('open, 1 min left');
    expect(describeAssessment(QUIZ, at(9, 45) - 59 * 1000).when).toBe(
      'open, less than a minute left'
    );
  });

  it('counts hours and minutes up to 12 hours, then names the closing day and time', () => {
    const long = assessment('long', at(9), at(15, 5));
    expect(describeAssessment(long, at(14)).when).toBe('open, 1 hour 5 min left');
    expect(describeAssessment(long, at(10, 5)).when).toBe('open, 5 hours left');
    const week = assessment('week', at(9), at(9, 0, 4));
    expect(describeAssessment(week, at(9, 30)).when).toBe('open until Friday at 9:00');
  });

  it('says when an upcoming assessment opens', () => {
    const soon = assessment('soon', at(9, 32), at(10), { state: 'upcoming' });
    expect(describeAssessment(soon, NOW).text).toBe('Loops quiz — opens in 12 min');
    expect(describeAssessment(soon, at(9, 32) - 30 * 1000).when).toBe(
      'opens in less than a minute'
    );
    expect(describeAssessment(soon, at(9, 32) - 61 * 1000).when).toBe('opens in 2 min');
    expect(describeAssessment(soon, at(8, 32)).when).toBe('opens today at 9:32');
  });

  it('names the day for an assessment opening tomorrow or later', () => {
    const tomorrow = assessment('t', at(9, 0, 3), at(10, 0, 3), { state: 'upcoming' });
    expect(describeAssessment(tomorrow, NOW).text).toBe('Loops quiz — opens tomorrow at 9:00');
    const monday = assessment('m', at(14, 30, 7), at(15, 0, 7), { state: 'upcoming' });
    expect(describeAssessment(monday, NOW).when).toBe('opens on Monday at 14:30');
    const later = assessment('l', at(9, 0, 12), at(10, 0, 12), { state: 'upcoming' });
    expect(describeAssessment(later, NOW).when).toBe('opens on 12 December at 9:00');
    const nextYear = assessment('y', at(8, 5, 3, 0, 2027), at(9, 0, 3, 0, 2027));
    expect(describeAssessment(nextYear, NOW).when).toBe('opens on 3 January 2027 at 8:05');
  });

  it('says closed once the closing time has passed', () => {
    expect(describeAssessment(QUIZ, at(9, 45))).toEqual({
      state: 'closed',
      when: 'closed',
      text: 'Loops quiz — closed'
    });
  });

  it("follows the clock, not the service's word at the time it answered", () => {
    const answered = assessment('q', at(9), at(9, 45), { state: 'upcoming' });
    expect(describeAssessment(answered, NOW).state).toBe('open');
  });

  it("uses the service's state when the dates are unreadable", () => {
    const odd = assessment('q', at(9), at(9, 45), { opens_at: 'soon', state: 'upcoming' });
    expect(describeAssessment(odd, NOW).when).toBe('not open yet');
    expect(describeAssessment({ ...odd, state: 'open' }, NOW).when).toBe('open, 25 min left');
    expect(describeAssessment({ ...odd, closes_at: '', state: 'open' }, NOW).when).toBe('open');
    expect(stateAt({ ...odd, state: 'closed' }, NOW)).toBe('closed');
  });
});

describe('duration and dayAndTime', () => {
  it('reads whole minutes and hours', () => {
    expect(duration(0)).toBe('less than a minute');
    expect(duration(MIN)).toBe('1 min');
    expect(duration(59.9 * MIN)).toBe('59 min');
    expect(duration(HOUR)).toBe('1 hour');
    expect(duration(2 * HOUR + 30 * MIN)).toBe('2 hours 30 min');
  });

  it('names today, tomorrow, a weekday within a week, else the date', () => {
    expect(dayAndTime(at(23, 59), NOW)).toBe('today at 23:59');
    expect(dayAndTime(at(0, 0, 3), at(23, 59))).toBe('tomorrow at 0:00');
    expect(dayAndTime(at(9, 0, 8), NOW)).toBe('on Tuesday at 9:00');
    expect(dayAndTime(at(9, 0, 9), NOW)).toBe('on 9 December at 9:00');
    expect(dayAndTime(at(9, 0, 8), NOW, false)).toBe('Tuesday at 9:00');
    expect(dayAndTime(at(9, 0, 3), NOW, false)).toBe('tomorrow at 9:00');
  });
});

describe('attemptsLeft', () => {
  it('counts the attempts left on each problem', () => {
    expect(attemptsLeft(QUIZ, 'add-two')).toBe(2);
    expect(attemptsLeft(QUIZ, 'count-vowels')).toBe(3);
  });

  it('never goes below zero', () => {
    expect(attemptsLeft({ ...QUIZ, attempts: { 'add-two': 5 } }, 'add-two')).toBe(0);
  });

  it('is null (no limit) when the assessment sets none', () => {
    expect(attemptsLeft({ ...QUIZ, max_attempts: 0 }, 'add-two')).toBeNull();
  });

  it('reads as a child would say it', () => {
    expect([2, 1, 0, null].map(attemptsLeftText)).toEqual([
      '2 attempts left',
      '1 attempt left',
      'No attempts left',
      'No limit on attempts'
    ]);
  });
});

describe('assessmentFor', () => {
  const later = assessment('quiz-2', at(9), at(11), { title: 'Functions quiz' });

  it('is the open assessment that holds the problem', () => {
    expect(assessmentFor('add-two', [QUIZ], NOW)?.id).toBe('quiz-1');
  });

  it('picks the one closing first when the problem is in several', () => {
    expect(assessmentFor('add-two', [later, QUIZ], NOW)?.id).toBe('quiz-1');
    expect(assessmentFor('add-two', [QUIZ, later], NOW)?.id).toBe('quiz-1');
  });

  it('skips assessments without attempts left on the problem', () => {
    const used = { ...QUIZ, attempts: { 'add-two': 3 } };
    expect(assessmentFor('add-two', [used, later], NOW)?.id).toBe('quiz-2');
    expect(assessmentFor('add-two', [used], NOW)).toBeNull();
    expect(assessmentFor('count-vowels', [used], NOW)?.id).toBe('quiz-1');
  });

  it('skips assessments that are upcoming or closed at that moment, or lack the problem', () => {
    expect(assessmentFor('add-two', [QUIZ], at(8, 59))).toBeNull();
    expect(assessmentFor('add-two', [QUIZ], at(9, 45))).toBeNull();
    expect(assessmentFor('robot-hello', [QUIZ], NOW)).toBeNull();
    expect(assessmentFor('add-two', [], NOW)).toBeNull();
  });

  it('counts an assessment without a limit as having attempts left', () => {
    const free = { ...QUIZ, max_attempts: 0, attempts: { 'add-two': 9 } };
    expect(assessmentFor('add-two', [free], NOW)?.id).toBe('quiz-1');
  });
});

describe('the submit question', () => {
  it('names the assessment, its closing and the attempts left', () => {
    expect(choiceMessage(QUIZ, 'add-two', NOW)).toBe(
      'This problem is part of Loops quiz (closes in 25 min). You have 2 attempts left.'
    );
    const last = { ...QUIZ, attempts: { 'add-two': 2 } };
    expect(choiceMessage(last, 'add-two', NOW)).toBe(
      'This problem is part of Loops quiz (closes in 25 min). You have 1 attempt left.'
    );
    expect(choiceMessage({ ...QUIZ, max_attempts: 0 }, 'add-two', NOW)).toBe(
      'This problem is part of Loops quiz (closes in 25 min). You can try as often as you like.'
    );
  });

  it('names the day when closing is far away', () => {
    const long = assessment('long', at(9), at(16, 0, 3));
    expect(closingPhrase(long, NOW)).toBe('closes tomorrow at 16:00');
    expect(closingPhrase(QUIZ, at(9, 44, 30))).toBe('closes in less than a minute');
  });

  it('labels its buttons and title with the assessment', () => {
    expect([PRACTISE_LABEL, submitForLabel(QUIZ), choiceTitle(QUIZ)]).toEqual([
      'Just practise',
      'Submit for Loops quiz',
      'Is this for Loops quiz?'
    ]);
    expect(recordedForText('Loops quiz')).toBe('Recorded for Loops quiz');
  });
});

describe('shownAssessments', () => {
  const open = QUIZ;
  const openLonger = assessment('open-2', at(9), at(12));
  const soon = assessment('soon', at(10), at(11), { state: 'upcoming' });
  const tomorrow = assessment('tomorrow', at(9, 0, 3), at(10, 0, 3), { state: 'upcoming' });
  const closedNow = assessment('closed-1', at(8), at(9, 15), { state: 'closed' });
  const closedYesterday = assessment('closed-2', at(8, 0, 1), at(10, 0, 1), { state: 'closed' });
  const closedLongAgo = assessment('closed-3', at(8, 0, 1), at(9, 0, 1), { state: 'closed' });

  it('lists open (closing first), upcoming (opening first), then recently closed', () => {
    const all = [closedLongAgo, tomorrow, closedYesterday, openLonger, soon, closedNow, open];
    expect(shownAssessments(all, NOW).map(a => a.id)).toEqual([
      'quiz-1',
      'open-2',
      'soon',
      'tomorrow',
      'closed-1',
      'closed-2'
    ]);
  });

  it('drops a closed assessment 24 hours after it closed', () => {
    expect(shownAssessments([closedYesterday], at(10, 0, 2)).length).toBe(1);
    expect(shownAssessments([closedYesterday], at(10, 1, 2)).length).toBe(0);
  });

  it('is empty without assessments', () => {
    expect(shownAssessments([], NOW)).toEqual([]);
  });
});

describe('clockOffset', () => {
  it("is how far the service's clock is ahead, from an open assessment's countdown", () => {
    // The service says 25 min are left, this computer thinks 27: it is 2 min behind.
    const reply = { ...QUIZ, seconds_left: 25 * 60 };
    expect(clockOffset([reply], at(9, 18))).toBe(2 * MIN);
  });

  it("uses an upcoming assessment's countdown too, and the first that counts down", () => {
    const upcoming = assessment('u', at(10), at(11), { state: 'upcoming', seconds_to_open: 600 });
    const closed = assessment('c', at(8), at(9), { state: 'closed' });
    expect(clockOffset([closed, upcoming], at(9, 53))).toBe(-3 * MIN);
  });

  it('is 0 when nothing counts down', () => {
    expect(clockOffset([], NOW)).toBe(0);
    expect(clockOffset([QUIZ], NOW)).toBe(0);
  });
});

describe('nextTick', () => {
  it('waits the countdown interval when nothing changes sooner', () => {
    expect(nextTick([QUIZ], NOW)).toBe(COUNTDOWN_REFRESH_MS);
    expect(nextTick([], NOW)).toBe(COUNTDOWN_REFRESH_MS);
  });

  it('wakes just after an assessment opens or closes', () => {
    expect(nextTick([QUIZ], at(9, 45) - 10 * 1000)).toBe(10 * 1000 + 250);
    expect(nextTick([QUIZ], at(9) - 5 * 1000)).toBe(5 * 1000 + 250);
  });

  it('waits at least a second', () => {
    expect(nextTick([QUIZ], at(9, 45) - 1)).toBe(1000);
  });
});

describe('statesChanged', () => {
  it('notices an assessment opening, closing, coming or going', () => {
    const before = statesAt([QUIZ], at(8, 59));
    expect(statesChanged(before, statesAt([QUIZ], at(8, 59) + 30 * 1000))).toBe(false);
    expect(statesChanged(before, statesAt([QUIZ], at(9)))).toBe(true);
    expect(statesChanged(before, statesAt([], at(8, 59)))).toBe(true);
  });
});

describe('readAssessments', () => {
  it('reads the entries of the reply, in order', () => {
    expect(readAssessments([QUIZ])).toEqual([QUIZ]);
  });

  it('is empty without a list', () => {
    expect(readAssessments(undefined)).toEqual([]);
    expect(readAssessments({ assessments: [] })).toEqual([]);
  });

  it('leaves out entries without an id and fills in what is missing', () => {
    expect(
      readAssessments([null, 'quiz', { title: 'No id' }, { id: 'q', problems: ['a', 3] }])
    ).toEqual([
      {
        id: 'q',
        title: 'q',
        cohort: '',
        problems: ['a'],
        opens_at: '',
        closes_at: '',
        max_attempts: 0,
        state: 'closed',
        seconds_to_open: null,
        seconds_left: null,
        attempts: {}
      }
    ]);
  });
});
