import { ApiError } from '../errors';
import { LONG_POLL_SECONDS, NOT_CHECKED_YET, SubmissionFollower } from '../follow';
import type { ISubmission } from '../records';

function submission(status: ISubmission['status'], id = 's1'): ISubmission {
  return {
    id,
    problem_id: 'add-two',
    status,
    verdict: status === 'graded' ? 'passed' : null,
    message: '',
    score: status === 'graded' ? 10 : null,
    max_score: 10,
    passed: null,
    total: null,
    tests: []
  } as unknown as ISubmission;
}

/**
 * A server whose long polls the test answers by hand (`answer`), recording each poll
 * and how many were open at once.
 */
function fakeServer() {
  const polls: { id: string; wait: number; signal: AbortSignal }[] = [];
  const open: { resolve(s: ISubmission): void; reject(e: Error): void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const finished: ISubmission[] = [];
  const follower = new SubmissionFollower({
    getSubmission: (id, wait, signal) => {
      polls.push({ id, wait, signal });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<ISubmission>((resolve, reject) => {
        const done = () => inFlight--;
        open.push({
          resolve: s => {
            done();
            resolve(s);
          },
          reject: e => {
            done();
            reject(e);
          }
        });
      });
    },
    onFinished: s => finished.push(s)
  });
  return {
    follower,
    polls,
    finished,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Answers the oldest open poll. */
    async answer(reply: ISubmission | ApiError, afterMs = 0) {
      await jest.advanceTimersByTimeAsync(afterMs);
      const poll = open.shift()!;
      if (reply instanceof ApiError) {
        poll.reject(reply);
      } else {
        poll.resolve(reply);
      }
      await jest.advanceTimersByTimeAsync(0);
    }
  };
}

describe('SubmissionFollower', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('long polls until the verdict and says it finished once', async () => {
    const server = fakeServer();
    const updates: string[] = [];
    const result = server.follower.follow('s1', { onUpdate: s => updates.push(s.status) });
    await server.answer(submission('queued'), LONG_POLL_SECONDS * 1000); // held: ask at once
    expect(server.polls).toHaveLength(2);
    await server.answer(submission('graded'));
    await expect(result).resolves.toMatchObject({ status: 'graded' });
    expect(updates).toEqual(['queued']);
    expect(server.finished).toHaveLength(1);
    expect(server.polls.every(p => p.wait === LONG_POLL_SECONDS)).toBe(true);
    expect(server.follower.following).toEqual([]);
  });

  it('a 429 waits Retry-After, then one poll', async () => {
    const server = fakeServer();
    const result = server.follower.follow('s1');
    await server.answer(new ApiError('Too many at once.', 429, 7));
    await jest.advanceTimersByTimeAsync(6_999);
    expect(server.polls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.polls).toHaveLength(2);
    await server.answer(submission('graded'));
    await expect(result).resolves.toMatchObject({ status: 'graded' });
  });

  it('a 503 without Retry-After still waits before asking again', async () => {
    const server = fakeServer();
    void server.follower.follow('s1');
    await server.answer(new ApiError('Busy.', 503));
    await jest.advanceTimersByTimeAsync(4_999);
    expect(server.polls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.polls).toHaveLength(2);
  });

  it('two followers of one submission share one long poll', async () => {
    const server = fakeServer();
    const first = server.follower.follow('s1');
    const second = server.follower.follow('s1');
    expect(server.polls).toHaveLength(1);
    await server.answer(submission('running'), 3_000);
    expect(server.polls).toHaveLength(2);
    await server.answer(submission('graded'));
    await expect(first).resolves.toMatchObject({ status: 'graded' });
    await expect(second).resolves.toMatchObject({ status: 'graded' });
    expect(server.maxInFlight).toBe(1);
    expect(server.finished).toHaveLength(1);
  });

  it('follows different submissions each on its own', () => {
    const server = fakeServer();
    void server.follower.follow('s1');
    void server.follower.follow('s2');
    expect(server.polls.map(p => p.id)).toEqual(['s1', 's2']);
  });

  it('one follower leaving does not stop the other', async () => {
    const server = fakeServer();
    const stop = new AbortController();
    const leaving = server.follower.follow('s1', { signal: stop.signal });
    const staying = server.follower.follow('s1');
    stop.abort();
    await expect(leaving).rejects.toBeDefined();
    expect(server.polls[0].signal.aborted).toBe(false);
    await server.answer(submission('graded'));
    await expect(staying).resolves.toMatchObject({ status: 'graded' });
  });

  it('stops polling, and aborts the poll in flight, when the last follower leaves', async () => {
    const server = fakeServer();
    const stop = new AbortController();
    const result = server.follower.follow('s1', { signal: stop.signal });
    stop.abort();
    await expect(result).rejects.toBeDefined();
    expect(server.polls[0].signal.aborted).toBe(true);
    await server.answer(submission('running'));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(server.polls).toHaveLength(1);
    expect(server.follower.following).toEqual([]);
  });

  it('a new follow after leaving starts a fresh poll, the old one aborted', async () => {
    const server = fakeServer();
    const stop = new AbortController();
    const first = server.follower.follow('s1', { signal: stop.signal });
    stop.abort();
    await expect(first).rejects.toBeDefined();
    const again = server.follower.follow('s1');
    expect(server.polls).toHaveLength(2);
    expect(server.polls[0].signal.aborted).toBe(true);
    expect(server.polls[1].signal.aborted).toBe(false);
    await server.answer(submission('running')); // the old poll's late answer is ignored
    expect(server.polls).toHaveLength(2);
    await server.answer(submission('graded'));
    await expect(again).resolves.toMatchObject({ status: 'graded' });
    expect(server.finished).toHaveLength(1);
  });

  it('ends the wait on any other error', async () => {
    const server = fakeServer();
    const result = server.follower.follow('s1');
    await server.answer(new ApiError('That could not be found.', 404));
    await expect(result).rejects.toMatchObject({ status: 404 });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(server.polls).toHaveLength(1);
  });

  it('gives up after the timeout with words for the learner', async () => {
    const server = fakeServer();
    const result = server.follower.follow('s1', { timeoutMs: 10_000 });
    const failed = expect(result).rejects.toMatchObject({ message: NOT_CHECKED_YET, status: 0 });
    await jest.advanceTimersByTimeAsync(10_000);
    await failed;
  });
});
