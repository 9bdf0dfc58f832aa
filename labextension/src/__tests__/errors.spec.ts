import { ApiError, describeError, parseRetryAfter } from '../errors';

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
  it('tells the learner the message, the wait and the HTTP status', () => {
    expect(new ApiError('Too many submissions.', 429, 30).describe()).toBe(
      'Too many submissions. Try again in 30 s. (HTTP 429)'
    );
    expect(new ApiError('Grader busy.', 503, 600).describe()).toBe(
      'Grader busy. Try again in 10 min. (HTTP 503)'
    );
  });

  it('leaves out the status when the server was not reached', () => {
    expect(describeError(new ApiError('Cannot reach the Jupyter server.', 0))).toBe(
      'Cannot reach the Jupyter server.'
    );
  });

  it('describes any other thrown value by its message or text', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
  });
});
