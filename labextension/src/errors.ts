/**
 * Errors of the Code Runner client, in words a learner can act on. No JupyterLab
 * imports here, so these functions are tested without a browser.
 */

/** A failed call: the server's `message`, its HTTP status and any Retry-After. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** Seconds to wait before trying again (429 / 503), if the server said so. */
    readonly retryAfterSeconds: number | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message with the status and the wait, ready to show to a learner. */
  describe(): string {
    const parts = [this.message];
    if (this.retryAfterSeconds !== null) {
      parts.push(`Try again in ${formatSeconds(this.retryAfterSeconds)}.`);
    }
    return this.status ? `${parts.join(' ')} (HTTP ${this.status})` : parts.join(' ');
  }
}

/** Human text for any error thrown by the client or by Lab itself. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.describe();
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/**
 * Seconds to wait, from a Retry-After header: delta-seconds or an HTTP date, which
 * starts with the day's name (a date in the past means 0). Null when the header is
 * missing or is neither (JavaScript's lenient date parser would read "1.5" as 2001).
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) {
    return null;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return parseInt(trimmed, 10);
  }
  const when = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - now) / 1000));
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} s`;
  }
  return `${Math.ceil(seconds / 60)} min`;
}
