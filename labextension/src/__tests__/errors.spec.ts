import {
  ApiError,
  describeError,
  formatSeconds,
  parseRetryAfter,
  retryCountdownText,
  statusMessage
} from '../errors';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it('is null without a header', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('   ', now)).toBeNull();
  });

  it('reads delta-seconds, surrounding spaces allowed', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 5 ', now)).toBe(5);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('counts the seconds until an HTTP date, rounding up', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:00 GMT', now + 500)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:01 GMT', now + 500)).toBe(1);
  });

  it('reads an HTTP date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:59 GMT', now)).toBe(0);
  });

  it('is null for values that are neither seconds nor a date', () => {
    for (const value of ['soon', '1.5', '-1', '10s', '2025-01-01']) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});

describe('ApiError', () => {
  it('tells the learner the message only: no HTTP code, no second "try again"', () => {
    const busy = new ApiError('The grader is busy. Try again in 30 s.', 429, 30);
    expect(busy.describe()).toBe('The grader is busy. Try again in 30 s.');
    expect(describeError(new ApiError('Grader busy.', 503, 600))).toBe('Grader busy.');
    expect(describeError(new ApiError('No such file.', 404))).not.toMatch(/HTTP|404/);
  });

  it('knows a busy answer (429 or 503) from the others', () => {
    expect(new ApiError('x', 429, 5).isBusy).toBe(true);
    expect(new ApiError('x', 503).isBusy).toBe(true);
    expect(new ApiError('x', 500).isBusy).toBe(false);
    expect(new ApiError('x', 0).isBusy).toBe(false);
  });

  it('describes any other thrown value by its message or text', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
  });
});

describe('statusMessage', () => {
  it('has plain words without the code for every status', () => {
    for (const status of [400, 401, 403, 404, 413, 429, 500, 502, 503]) {
      const text = statusMessage(status);
      expect(text).not.toMatch(/\d{3}|HTTP/);
      expect(text.length).toBeGreaterThan(10);
    }
    expect(statusMessage(503)).toMatch(/busy/);
  });
});

describe('retryCountdownText', () => {
  it('counts down in seconds, then minutes for long waits, then says now', () => {
    expect(retryCountdownText(6)).toBe('You can send again in 6 s.');
    expect(retryCountdownText(0.2)).toBe('You can send again in 1 s.');
    expect(retryCountdownText(600)).toBe('You can send again in 10 min.');
    expect(retryCountdownText(0)).toBe('You can send again now.');
  });

  it('formats seconds like the countdown', () => {
    expect(formatSeconds(89)).toBe('89 s');
    expect(formatSeconds(90)).toBe('2 min');
  });
});
