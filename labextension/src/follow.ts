/**
 * Following a submission to its verdict by long polling: one poll at a time per
 * submission, however many views follow it, and a busy answer (429 / 503) waits the
 * server's Retry-After before the next poll. No JupyterLab imports (the client passes
 * its request in), so this is tested without a browser.
 */
import { busyRetrySeconds, ITimers, realTimers } from './backoff';
import { ApiError } from './errors';
import { isFinished, ISubmission } from './records';
import type { ICodeRunnerClient } from './tokens';

/** Seconds the server may hold a result request (it answers at once on a verdict). */
export const LONG_POLL_SECONDS = 3;

/** Wait after a busy answer without Retry-After, while following a submission. */
const BUSY_FALLBACK_SECONDS = 5;

export const NOT_CHECKED_YET =
  'Your code has not been checked yet. Its result will show in your progress when it is ready.';

export interface IFollowerOptions {
  /** One long poll: the submission, held up to `waitSeconds`; aborted with `signal`. */
  getSubmission(
    submissionId: string,
    waitSeconds: number,
    signal: AbortSignal
  ): Promise<ISubmission>;
  /** Called once per submission that reached its verdict, before the followers hear. */
  onFinished(submission: ISubmission): void;
  timers?: ITimers;
}

interface IFollower {
  onUpdate?: (submission: ISubmission) => void;
  resolve(submission: ISubmission): void;
  reject(reason: Error): void;
}

interface IPoll {
  followers: Set<IFollower>;
  /** Aborted when the last follower leaves: stops the loop and its request. */
  stop: AbortController;
  intervalMs: number;
}

/** See the module's comment; `follow` keeps the contract of `ICodeRunnerClient.waitForResult`. */
export class SubmissionFollower {
  constructor(options: IFollowerOptions) {
    this._getSubmission = options.getSubmission;
    this._onFinished = options.onFinished;
    this._timers = options.timers ?? realTimers;
  }

  /** Submissions followed right now. */
  get following(): string[] {
    return [...this._polls.keys()];
  }

  /**
   * Resolves with the submission once graded or failed. A second call for a submission
   * already followed joins that poll. Aborting `signal` or the timeout ends this call
   * only; the poll stops when nobody follows the submission any more.
   */
  follow(submissionId: string, options: ICodeRunnerClient.IWaitOptions = {}): Promise<ISubmission> {
    const signal = options.signal;
    if (signal?.aborted) {
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<ISubmission>((resolve, reject) => {
      let poll = this._polls.get(submissionId);
      const starts = !poll;
      if (!poll) {
        poll = {
          followers: new Set(),
          stop: new AbortController(),
          intervalMs: options.intervalMs ?? 1000
        };
        this._polls.set(submissionId, poll);
      }
      const own = poll;
      const timers = this._timers;
      const leave = () => {
        timers.clearTimeout(timeout);
        signal?.removeEventListener('abort', onAbort);
        if (own.followers.delete(follower) && own.followers.size === 0) {
          own.stop.abort();
          if (this._polls.get(submissionId) === own) {
            this._polls.delete(submissionId);
          }
        }
      };
      const follower: IFollower = {
        onUpdate: options.onUpdate,
        resolve: submission => {
          leave();
          resolve(submission);
        },
        reject: reason => {
          leave();
          reject(reason);
        }
      };
      const onAbort = () => follower.reject(signal?.reason as Error);
      const timeout = timers.setTimeout(
        () => follower.reject(new ApiError(NOT_CHECKED_YET, 0)),
        options.timeoutMs ?? 10 * 60 * 1000
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      own.followers.add(follower);
      if (starts) {
        void this._poll(submissionId, own);
      }
    });
  }

  private async _poll(submissionId: string, poll: IPoll): Promise<void> {
    const { stop, followers } = poll;
    const end = () => {
      if (this._polls.get(submissionId) === poll) {
        this._polls.delete(submissionId);
      }
      return [...followers];
    };
    for (;;) {
      let pause = poll.intervalMs;
      try {
        const asked = this._timers.now();
        const submission = await this._getSubmission(submissionId, LONG_POLL_SECONDS, stop.signal);
        if (stop.signal.aborted) {
          return;
        }
        if (isFinished(submission.status)) {
          const waiting = end();
          this._onFinished(submission);
          waiting.forEach(f => f.resolve(submission));
          return;
        }
        [...followers].forEach(f => f.onUpdate?.(submission));
        // The server held the request until now: ask again at once. A quick answer
        // that is not final means the wait was cut short: poll at the interval then.
        if (this._timers.now() - asked >= 1000) {
          pause = 0;
        }
      } catch (error) {
        if (stop.signal.aborted) {
          return;
        }
        const seconds = busyRetrySeconds(error, BUSY_FALLBACK_SECONDS);
        if (seconds === null) {
          end().forEach(f => f.reject(error as Error));
          return;
        }
        pause = Math.max(poll.intervalMs, seconds * 1000);
      }
      if (pause > 0) {
        await this._sleep(pause, stop.signal);
      }
      if (stop.signal.aborted) {
        return;
      }
    }
  }

  /** Resolves after `ms`, or at once when `signal` is aborted. */
  private _sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const done = () => {
        this._timers.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this._timers.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private _getSubmission: IFollowerOptions['getSubmission'];
  private _onFinished: (submission: ISubmission) => void;
  private _timers: ITimers;
  private _polls = new Map<string, IPoll>();
}
