import { ReloadQueue } from '../backoff';
import { ApiError } from '../errors';
import {
  ALL_PARTS,
  loadParts,
  PanelClient,
  PanelEvent,
  PanelPart,
  PanelResults,
  partsFor
} from '../panelReloads';

const CALL_NAMES: Record<PanelPart, keyof PanelClient> = {
  problems: 'listProblems',
  tracks: 'listTracks',
  progress: 'getProgress',
  me: 'getMe',
  assessments: 'listAssessments',
  leaderboard: 'getLeaderboard',
  space: 'getSpace'
};

/**
 * A client that records every call. `refuse(name, status, seconds)` makes the next
 * call of that name answer a busy error; `hold` keeps answers back until `release`.
 */
function fakeClient() {
  const calls: string[] = [];
  const refusals = new Map<string, ApiError[]>();
  let held: (() => void)[] | null = null;
  const answer = (name: string, value: unknown) => () => {
    calls.push(name);
    const refusal = refusals.get(name)?.shift();
    const settle = () => (refusal ? Promise.reject(refusal) : Promise.resolve(value));
    if (held) {
      const queue = held;
      return new Promise((resolve, reject) =>
        queue.push(() => void settle().then(resolve, reject))
      );
    }
    return settle();
  };
  const client = {
    listProblems: answer('listProblems', []),
    listTracks: answer('listTracks', []),
    getProgress: answer('getProgress', { problems: [] }),
    getMe: answer('getMe', { cohorts: [] }),
    listAssessments: answer('listAssessments', []),
    getLeaderboard: answer('getLeaderboard', []),
    getSpace: answer('getSpace', { used_bytes: 1, quota_bytes: 10 })
  } as unknown as PanelClient;
  return {
    client,
    calls,
    refuse(name: keyof PanelClient, status: number, seconds: number | null) {
      const list = refusals.get(name) ?? [];
      list.push(new ApiError('Slow down a little.', status, seconds));
      refusals.set(name, list);
    },
    hold() {
      held = [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      waiting.forEach(go => go());
    }
  };
}

/** The problems panel's wiring, without its widgets: events → queue → calls. */
function fakePanel() {
  const server = fakeClient();
  const loaded = new Set<PanelPart>();
  const delivered: PanelResults[] = [];
  const waits: (number | null)[] = [];
  const queue = new ReloadQueue<PanelPart>({
    run: parts =>
      loadParts(server.client, parts, results => {
        delivered.push(results);
        for (const [part, answer] of Object.entries(results)) {
          if (answer.ok) {
            loaded.add(part as PanelPart);
          }
        }
      }),
    coalesceMs: 500,
    onWait: seconds => waits.push(seconds)
  });
  const on = (event: PanelEvent) =>
    queue.request(partsFor(event, loaded), event === 'open' || event === 'reload' ? 0 : undefined);
  return { ...server, queue, on, delivered, waits };
}

describe('partsFor', () => {
  it('loads everything on the first load and on the reload button', () => {
    expect(partsFor('open')).toEqual([...ALL_PARTS]);
    expect(partsFor('reload', new Set())).toEqual([...ALL_PARTS]);
  });

  it('loads nothing after a practice check', () => {
    expect(partsFor('check')).toEqual([]);
    expect(partsFor('check', new Set())).toEqual([]);
  });

  it('reloads only progress, assessments and leaderboard after a verdict', () => {
    expect(partsFor('submission')).toEqual(['progress', 'assessments', 'leaderboard']);
  });

  it('after a verdict also asks for problems (and tracks) that never arrived', () => {
    const noProblems = new Set<PanelPart>(ALL_PARTS.filter(p => p !== 'problems'));
    expect(partsFor('submission', noProblems)).toEqual([
      'problems',
      'progress',
      'assessments',
      'leaderboard'
    ]);
    expect(partsFor('submission', new Set())).toEqual([
      'problems',
      'tracks',
      'progress',
      'assessments',
      'leaderboard'
    ]);
  });
});

describe('loadParts', () => {
  it('makes exactly one call per part asked for', async () => {
    const { client, calls } = fakeClient();
    await loadParts(client, new Set<PanelPart>(['progress', 'space']), () => undefined);
    expect(calls.sort()).toEqual(['getProgress', 'getSpace']);
  });

  it('makes no call for no part', async () => {
    const { client, calls } = fakeClient();
    const deliver = jest.fn();
    expect(await loadParts(client, new Set(), deliver)).toBeNull();
    expect(calls).toEqual([]);
    expect(deliver).not.toHaveBeenCalled();
  });

  it('hands over the list (problems, tracks, progress) together, the others each alone', async () => {
    const { client } = fakeClient();
    const delivered: string[][] = [];
    await loadParts(client, new Set(ALL_PARTS), results =>
      delivered.push(Object.keys(results).sort())
    );
    expect(delivered.sort()).toEqual(
      [
        ['problems', 'progress', 'tracks'],
        ['me'],
        ['assessments'],
        ['leaderboard'],
        ['space']
      ].sort()
    );
  });

  it('answers the busy parts and the longest wait asked for', async () => {
    const server = fakeClient();
    server.refuse('getProgress', 429, 12);
    server.refuse('getLeaderboard', 503, 30);
    const results: PanelResults[] = [];
    const busy = await loadParts(server.client, new Set(ALL_PARTS), r => results.push(r));
    expect(busy).toEqual({
      parts: expect.arrayContaining(['progress', 'leaderboard']) as string[],
      retryAfterSeconds: 30
    });
    expect(busy?.parts).toHaveLength(2);
    const list = results.find(r => r.problems)!;
    expect(list.problems?.ok).toBe(true);
    expect(list.progress?.ok).toBe(false);
  });

  it('says nothing is busy when a call fails for another reason', async () => {
    const server = fakeClient();
    server.refuse('listAssessments', 500, null);
    expect(await loadParts(server.client, new Set(ALL_PARTS), () => undefined)).toBeNull();
  });
});

describe('the problems panel as a good citizen', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function opened() {
    const panel = fakePanel();
    void panel.on('open');
    await jest.advanceTimersByTimeAsync(0);
    panel.calls.length = 0;
    return panel;
  }

  it('loads all seven parts once on the first load', async () => {
    const panel = fakePanel();
    void panel.on('open');
    await jest.advanceTimersByTimeAsync(0);
    expect(panel.calls.sort()).toEqual(Object.values(CALL_NAMES).sort());
  });

  it('a check causes no server call', async () => {
    const panel = await opened();
    for (let i = 0; i < 20; i++) {
      void panel.on('check');
      await jest.advanceTimersByTimeAsync(3_000);
    }
    expect(panel.calls).toEqual([]);
  });

  it('a submission reloads progress, assessments and leaderboard only', async () => {
    const panel = await opened();
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(panel.calls.sort()).toEqual(['getLeaderboard', 'getProgress', 'listAssessments']);
  });

  it('three finishes in a burst cause one reload', async () => {
    const panel = await opened();
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(100);
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(100);
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(panel.calls.sort()).toEqual(['getLeaderboard', 'getProgress', 'listAssessments']);
  });

  it('a finish while a reload is in flight causes one more reload after it, not two at once', async () => {
    const panel = await opened();
    panel.hold();
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(500);
    expect(panel.calls).toHaveLength(3);
    void panel.on('submission');
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(panel.calls).toHaveLength(3); // still in flight: nothing more yet
    panel.release();
    await jest.advanceTimersByTimeAsync(500);
    expect(panel.calls).toHaveLength(6);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(panel.calls).toHaveLength(6);
  });

  it('a 429 waits Retry-After, then one retry of what was refused', async () => {
    const panel = await opened();
    panel.refuse('getProgress', 429, 12);
    void panel.on('submission');
    await jest.advanceTimersByTimeAsync(500);
    expect(panel.calls.sort()).toEqual(['getLeaderboard', 'getProgress', 'listAssessments']);
    expect(panel.waits).toEqual([12]);
    panel.calls.length = 0;
    await jest.advanceTimersByTimeAsync(11_999);
    expect(panel.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(panel.calls).toEqual(['getProgress']);
    expect(panel.waits).toEqual([12, null]);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(panel.calls).toEqual(['getProgress']);
  });

  it('a 503 on the first load retries only the refused parts, once, after the longest wait', async () => {
    const panel = fakePanel();
    panel.refuse('listProblems', 503, 20);
    panel.refuse('getMe', 503, 5);
    void panel.on('open');
    await jest.advanceTimersByTimeAsync(0);
    expect(panel.waits).toEqual([20]);
    panel.calls.length = 0;
    await jest.advanceTimersByTimeAsync(19_999);
    expect(panel.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(panel.calls.sort()).toEqual(['getMe', 'listProblems']);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(panel.calls).toHaveLength(2);
  });

  it('reload presses and verdicts during the wait join the one retry', async () => {
    const panel = fakePanel();
    panel.refuse('listProblems', 429, 20);
    void panel.on('open');
    await jest.advanceTimersByTimeAsync(0);
    panel.calls.length = 0;
    for (let i = 0; i < 5; i++) {
      void panel.on('reload');
      void panel.on('submission');
      await jest.advanceTimersByTimeAsync(1_000);
    }
    expect(panel.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(panel.calls.sort()).toEqual(Object.values(CALL_NAMES).sort());
    await jest.advanceTimersByTimeAsync(120_000);
    expect(panel.calls).toHaveLength(ALL_PARTS.length);
  });
});
