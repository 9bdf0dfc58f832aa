/**
 * Being a good citizen towards the grading service, which limits each learner's
 * requests (429) and sheds load when busy (503), both with a Retry-After. Reloads are
 * coalesced (a burst of events makes one reload, a reload in flight is followed by at
 * most one more), and a busy answer is retried once, after the wait the server asked
 * for, never in a loop. No JupyterLab imports, so this is tested without a browser.
 */
import { ApiError, formatSeconds } from './errors';

/** Wait after a busy answer that named no wait of its own. */
export const DEFAULT_RETRY_SECONDS = 10;

/** Longest wait honoured (a timer cannot wait longer than ~24 days anyway). */
export const MAX_RETRY_SECONDS = 60 * 60;

/**
 * Seconds to wait before asking again after `error`: the server's Retry-After for a
 * busy answer (429 / 503), at least 1 s, at most `MAX_RETRY_SECONDS`; `fallback` when
 * the answer named none. Null when `error` is not a busy answer (do not retry on your own).
 */
export function busyRetrySeconds(
  error: unknown,
  fallback: number = DEFAULT_RETRY_SECONDS
): number | null {
  if (!(error instanceof ApiError) || !error.isBusy) {
    return null;
  }
  const seconds = error.retryAfterSeconds ?? fallback;
  return Math.min(MAX_RETRY_SECONDS, Math.max(1, Math.ceil(seconds)));
}

/** Whether `error` is a busy answer (429 / 503): the last good data stays, a retry follows. */
export function isBusyError(error: unknown): boolean {
  return busyRetrySeconds(error) !== null;
}

/** The calm line shown while a busy answer's wait runs (no HTTP code, no blame). */
export function busyText(seconds: number): string {
  return `Lots of people are working right now. Trying again in ${formatSeconds(seconds)}.`;
}

/** The clock and timers the queue uses (the browser's by default; fakes in tests). */
export interface ITimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: ITimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

/** The parts of a run that got a busy answer, and how long the server asked to wait. */
export interface IBusyAnswer<P> {
  parts: P[];
  retryAfterSeconds: number;
}

export interface IReloadQueueOptions<P> {
  /**
   * Loads `parts` (never called twice at once) and says which of them got a busy
   * answer; null when none did. Should not throw.
   */
  run(parts: ReadonlySet<P>): Promise<IBusyAnswer<P> | null>;
  /** How long a request waits for others to join it, in ms. Default 500. */
  coalesceMs?: number;
  /** Told the wait (s) when a retry is scheduled after a busy answer; null once it is over. */
  onWait?(retryAfterSeconds: number | null): void;
  timers?: ITimers;
}

/**
 * Reloads of named parts (for the problems panel: problems, progress, leaderboard…),
 * one run at a time. A request waits `coalesceMs` for others to join; a request made
 * while a run is in flight is served by one more run after it; after a busy answer the
 * parts concerned are asked again once, when the wait is over, together with anything
 * requested meanwhile (requests never jump that wait).
 */
export class ReloadQueue<P> {
  constructor(options: IReloadQueueOptions<P>) {
    this._run = options.run;
    this._coalesceMs = options.coalesceMs ?? 500;
    this._onWait = options.onWait;
    this._timers = options.timers ?? realTimers;
  }

  /** Whether a retry after a busy answer is waiting for its time. */
  get backingOff(): boolean {
    return this._backingOff;
  }

  /**
   * Asks for `parts` to be loaded, after `delayMs` (default: the coalescing window; 0
   * for a reload the learner asked for). Resolves once a run that took them has ended
   * (also when it got a busy answer: the retry then follows on its own).
   */
  request(parts: Iterable<P>, delayMs: number = this._coalesceMs): Promise<void> {
    const wanted = [...parts];
    if (wanted.length === 0 || this._disposed) {
      return Promise.resolve();
    }
    for (const part of wanted) {
      this._pending.add(part);
    }
    const done = new Promise<void>(resolve => this._waiters.push(resolve));
    if (!this._running && !this._backingOff) {
      this._schedule(delayMs);
    }
    return done;
  }

  /** Stops: nothing runs any more; every request made resolves. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._clearTimer();
    this._pending.clear();
    const waiters = this._waiters;
    this._waiters = [];
    waiters.forEach(resolve => resolve());
  }

  /** Runs at `delayMs` from now, or sooner if a run is already due sooner. */
  private _schedule(delayMs: number): void {
    const due = this._timers.now() + Math.max(0, delayMs);
    if (this._timer !== null && this._due <= due) {
      return;
    }
    this._clearTimer();
    this._due = due;
    this._timer = this._timers.setTimeout(() => void this._fire(), Math.max(0, delayMs));
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      this._timers.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private async _fire(): Promise<void> {
    this._timer = null;
    this._backingOff = false;
    const parts = this._pending;
    const waiters = this._waiters;
    this._pending = new Set();
    this._waiters = [];
    this._running = true;
    let busy: IBusyAnswer<P> | null = null;
    try {
      busy = await this._run(parts);
    } catch (error) {
      console.error('Code Runner: a reload failed', error);
    }
    this._running = false;
    waiters.forEach(resolve => resolve());
    if (this._disposed) {
      return;
    }
    if (busy && busy.parts.length > 0) {
      for (const part of busy.parts) {
        this._pending.add(part);
      }
      this._backingOff = true;
      this._waitShown = true;
      this._schedule(busy.retryAfterSeconds * 1000);
      this._onWait?.(busy.retryAfterSeconds);
      return;
    }
    if (this._waitShown) {
      this._waitShown = false;
      this._onWait?.(null);
    }
    if (this._pending.size > 0) {
      this._schedule(this._coalesceMs); // asked for while the run was in flight
    }
  }

  private _run: (parts: ReadonlySet<P>) => Promise<IBusyAnswer<P> | null>;
  private _coalesceMs: number;
  private _onWait: ((retryAfterSeconds: number | null) => void) | undefined;
  private _timers: ITimers;
  private _pending = new Set<P>();
  private _waiters: (() => void)[] = [];
  private _timer: unknown = null;
  /** When the timer fires (ms since the epoch). */
  private _due = 0;
  private _running = false;
  private _backingOff = false;
  /** The wait line was announced (`onWait(seconds)`) and not yet taken back. */
  private _waitShown = false;
  private _disposed = false;
}
