import {
  busyRetrySeconds,
  busyText,
  DEFAULT_RETRY_SECONDS,
  IBusyAnswer,
  isBusyError,
  MAX_RETRY_SECONDS,
  ReloadQueue
} from '../backoff';
import { ApiError } from '../errors';

describe('busyRetrySeconds', () => {
  it('is the Retry-After of a 429 or a 503', () => {
    expect(busyRetrySeconds(new ApiError('slow down', 429, 12))).toBe(12);
    expect(busyRetrySeconds(new ApiError('busy', 503, 30))).toBe(30);
  });

  it('waits the default, or the fallback given, when the answer names no wait', () => {
    expect(busyRetrySeconds(new ApiError('slow down', 429))).toBe(DEFAULT_RETRY_SECONDS);
    expect(busyRetrySeconds(new ApiError('slow down', 429), 5)).toBe(5);
  });

  it('waits at least a second and at most an hour', () => {
    expect(busyRetrySeconds(new ApiError('slow down', 429, 0))).toBe(1);
    expect(busyRetrySeconds(new ApiError('busy', 503, 10 ** 9))).toBe(MAX_RETRY_SECONDS);
  });

  it('is null for anything but a busy answer (no retry of its own)', () => {
    expect(busyRetrySeconds(new ApiError('broken', 500, 5))).toBeNull();
    expect(busyRetrySeconds(new ApiError('gone', 404))).toBeNull();
    expect(busyRetrySeconds(new ApiError('offline', 0))).toBeNull();
    expect(busyRetrySeconds(new Error('boom'))).toBeNull();
    expect(isBusyError(new ApiError('slow down', 429, 3))).toBe(true);
    expect(isBusyError(new ApiError('broken', 500))).toBe(false);
  });
});

describe('busyText', () => {
  it('says calmly when the next try is, with no HTTP code', () => {
    expect(busyText(12)).toBe('Lots of people are working right now. Trying again in 12 s.');
    expect(busyText(600)).toBe('Lots of people are working right now. Trying again in 10 min.');
    expect(busyText(429)).not.toMatch(/429|503|HTTP|error/i);
  });
});

/** A queue over a fake loader whose answers the test settles by hand. */
function setUp(coalesceMs = 500) {
  const runs: string[][] = [];
  const finish: ((busy: IBusyAnswer<string> | null) => void)[] = [];
  const waits: (number | null)[] = [];
  const queue = new ReloadQueue<string>({
    run: parts => {
      runs.push([...parts].sort());
      return new Promise(resolve => finish.push(resolve));
    },
    coalesceMs,
    onWait: seconds => waits.push(seconds)
  });
  /** Ends the oldest run still in flight. */
  const end = async (busy: IBusyAnswer<string> | null = null) => {
    finish.shift()!(busy);
    await jest.advanceTimersByTimeAsync(0);
  };
  return { queue, runs, waits, end };
}

describe('ReloadQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('does nothing for an empty request', async () => {
    const { queue, runs } = setUp();
    await queue.request([]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([]);
  });

  it('makes one run of a burst of requests, with all their parts', async () => {
    const { queue, runs, end } = setUp();
    const done = [queue.request(['a']), queue.request(['b'])];
    await jest.advanceTimersByTimeAsync(200);
    done.push(queue.request(['a', 'c']));
    await jest.advanceTimersByTimeAsync(299);
    expect(runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([['a', 'b', 'c']]);
    await end();
    await Promise.all(done);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
  });

  it('runs a request without delay at once, taking in those waiting', async () => {
    const { queue, runs } = setUp();
    void queue.request(['a']);
    void queue.request(['b'], 0);
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([['a', 'b']]);
  });

  it('follows a run in flight with one more run for everything asked meanwhile', async () => {
    const { queue, runs, end } = setUp();
    void queue.request(['a'], 0);
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    void queue.request(['b']);
    void queue.request(['c']);
    void queue.request(['b']);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(runs).toHaveLength(1); // never two runs at once
    await end();
    await jest.advanceTimersByTimeAsync(500);
    expect(runs).toEqual([['a'], ['b', 'c']]);
    await end();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(2);
  });

  it('after a busy answer waits Retry-After, then asks once for the busy parts', async () => {
    const { queue, runs, waits, end } = setUp();
    const done = queue.request(['a', 'b'], 0);
    await jest.advanceTimersByTimeAsync(0);
    await end({ parts: ['b'], retryAfterSeconds: 12 });
    await done; // the request is answered; the retry follows on its own
    expect(waits).toEqual([12]);
    expect(queue.backingOff).toBe(true);
    await jest.advanceTimersByTimeAsync(11_999);
    expect(runs).toEqual([['a', 'b']]);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([['a', 'b'], ['b']]);
    await end();
    expect(waits).toEqual([12, null]);
    expect(queue.backingOff).toBe(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(2);
  });

  it('lets no request jump the wait: they join the single retry', async () => {
    const { queue, runs, end } = setUp();
    void queue.request(['a'], 0);
    await jest.advanceTimersByTimeAsync(0);
    await end({ parts: ['a'], retryAfterSeconds: 20 });
    for (let i = 0; i < 5; i++) {
      void queue.request(['a'], 0); // a child pressing reload again and again
      void queue.request(['b']);
      await jest.advanceTimersByTimeAsync(1_000);
    }
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(runs).toEqual([['a'], ['a', 'b']]);
  });

  it('waits again, as long as asked, when the retry is refused too', async () => {
    const { queue, runs, waits, end } = setUp();
    void queue.request(['a'], 0);
    await jest.advanceTimersByTimeAsync(0);
    await end({ parts: ['a'], retryAfterSeconds: 5 });
    await jest.advanceTimersByTimeAsync(5_000);
    await end({ parts: ['a'], retryAfterSeconds: 30 });
    await jest.advanceTimersByTimeAsync(29_999);
    expect(runs).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(3);
    await end();
    expect(waits).toEqual([5, 30, null]);
  });

  it('stops when disposed, answering every request', async () => {
    const { queue, runs } = setUp();
    const done = queue.request(['a']);
    queue.dispose();
    await done;
    await queue.request(['b'], 0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([]);
  });
});
