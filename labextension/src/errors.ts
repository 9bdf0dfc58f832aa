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

  /**
   * The message, ready to show to a learner. The server writes it for children and
   * says any wait itself, so nothing is added: no HTTP code, no second "try again".
   */
  describe(): string {
    return this.message;
  }

  /** The server is busy (503) or the learner sends too fast (429): wait and send again. */
  get isBusy(): boolean {
    return this.status === 429 || this.status === 503;
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

/** "6 s" below 90 seconds, else whole minutes rounded up ("2 min"). */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 90) {
    return `${whole} s`;
  }
  return `${Math.ceil(whole / 60)} min`;
}

/**
 * Words for a failed call whose reply carried no message of its own, by HTTP status,
 * for a young learner (never the code itself).
 */
export function statusMessage(status: number): string {
  if (status === 429) {
    return 'You are sending things very fast. Take a little break.';
  }
  if (status === 503) {
    return 'The computer that checks your code is very busy right now.';
  }
  if (status === 401 || status === 403) {
    return 'You are not allowed to do that here. Try reloading the page.';
  }
  if (status === 404) {
    return 'That could not be found.';
  }
  if (status === 413) {
    return 'That is too big to send.';
  }
  if (status >= 500) {
    return 'Something went wrong on the server. Try again in a little while.';
  }
  return 'Something went wrong. Try again.';
}

/** The live countdown under a busy answer: "You can send again in 6 s", then "now". */
export function retryCountdownText(secondsLeft: number): string {
  return secondsLeft > 0
    ? `You can send again in ${formatSeconds(secondsLeft)}.`
    : 'You can send again now.';
}
