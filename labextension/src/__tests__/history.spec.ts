import { addPage, EMPTY_HISTORY, hasOlder, historyRow, localTime } from '../history';
import type { IOwnSubmission } from '../records';

function sub(id: string, extra: Partial<IOwnSubmission> = {}): IOwnSubmission {
  return {
    id,
    problem_id: 'add-two',
    status: 'graded',
    verdict: 'passed',
    message: '',
    score: 10,
    max_score: 10,
    passed: 3,
    total: 3,
    tests: [],
    code: 'print(1)',
    created_at: new Date(2025, 2, 3, 14, 5).toISOString(),
    ...extra
  };
}

describe('history paging', () => {
  it('starts empty and not loaded', () => {
    expect(EMPTY_HISTORY.loaded).toBe(false);
    expect(hasOlder(EMPTY_HISTORY)).toBe(false);
  });

  it('adds older pages below and offers "Show older" while there is a cursor', () => {
    let history = addPage(EMPTY_HISTORY, { submissions: [sub('s3'), sub('s2')], next: 'c1' }, true);
    expect(history.items.map(s => s.id)).toEqual(['s3', 's2']);
    expect(history.loaded).toBe(true);
    expect(hasOlder(history)).toBe(true);
    history = addPage(history, { submissions: [sub('s2'), sub('s1')], next: null }, false);
    expect(history.items.map(s => s.id)).toEqual(['s3', 's2', 's1']);
    expect(hasOlder(history)).toBe(false);
  });

  it('replaces the list with a new first page (after a new submission)', () => {
    const old = addPage(EMPTY_HISTORY, { submissions: [sub('s1')], next: 'c' }, true);
    const fresh = addPage(old, { submissions: [sub('s2'), sub('s1')], next: null }, true);
    expect(fresh.items.map(s => s.id)).toEqual(['s2', 's1']);
    expect(fresh.next).toBeNull();
  });
});

describe('historyRow', () => {
  const now = new Date(2025, 2, 3, 18, 0);

  it('gives the verdict in words, the score and the local time', () => {
    expect(historyRow(sub('a'), now)).toEqual({
      id: 'a',
      verdict: 'Passed',
      score: '10 / 10',
      time: 'Today 14:05',
      label: 'Passed, score 10 / 10, Today 14:05'
    });
  });

  it('rounds fractional scores and names each verdict plainly', () => {
    const row = historyRow(sub('b', { verdict: 'timeout', score: 1.6666, max_score: 10 }), now);
    expect(row.verdict).toBe('Too slow');
    expect(row.score).toBe('1.7 / 10');
  });

  it('says when a try is still waiting or could not be checked', () => {
    expect(
      historyRow(sub('c', { status: 'queued', verdict: null, score: null }), now)
    ).toMatchObject({
      verdict: 'Waiting',
      score: ''
    });
    expect(
      historyRow(sub('d', { status: 'failed', verdict: null, score: null }), now).verdict
    ).toBe('Not checked');
  });
});

describe('localTime', () => {
  const now = new Date(2025, 2, 3, 18, 0);

  it('says today, yesterday, the date, or the date with its year', () => {
    expect(localTime(new Date(2025, 2, 3, 9, 7).toISOString(), now)).toBe('Today 09:07');
    expect(localTime(new Date(2025, 2, 2, 23, 59).toISOString(), now)).toBe('Yesterday 23:59');
    expect(localTime(new Date(2025, 0, 15, 8, 0).toISOString(), now)).toBe('15 Jan 08:00');
    expect(localTime(new Date(2024, 11, 31, 8, 0).toISOString(), now)).toBe('31 Dec 2024 08:00');
  });

  it('is empty for a date it cannot read', () => {
    expect(localTime('', now)).toBe('');
    expect(localTime('soon', now)).toBe('');
  });
});
