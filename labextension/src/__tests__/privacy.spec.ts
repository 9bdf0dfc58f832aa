import { ApiError } from '../errors';
import {
  IPrivacyFlowOptions,
  isNoticeChanged,
  MAX_NOTICE_ROUNDS,
  NOT_SAVED_MESSAGE,
  runPrivacyFlow,
  shouldShowNotice
} from '../privacy';
import type { IPrivacyNotice } from '../records';

function notice(version: string, acceptedAt: string | null = null): IPrivacyNotice {
  return { text: `# Notice ${version}\n\nWe keep your code.`, version, accepted_at: acceptedAt };
}

describe('shouldShowNotice', () => {
  it('shows a notice this learner has not accepted yet', () => {
    expect(shouldShowNotice(notice('v1'))).toBe(true);
  });

  it('does not show a notice already accepted', () => {
    expect(shouldShowNotice(notice('v1', '2025-09-01T08:00:00Z'))).toBe(false);
  });

  it('does not show a reply without text or version to accept', () => {
    expect(shouldShowNotice({ text: '  \n', version: 'v1', accepted_at: null })).toBe(false);
    expect(shouldShowNotice({ text: 'Hi', version: '', accepted_at: null })).toBe(false);
    expect(shouldShowNotice({ text: 'Hi' } as unknown as IPrivacyNotice)).toBe(false);
    expect(shouldShowNotice(null)).toBe(false);
  });

  it('reads an empty acceptance date as not accepted', () => {
    expect(shouldShowNotice({ ...notice('v1'), accepted_at: '' })).toBe(true);
  });
});

describe('isNoticeChanged', () => {
  it('is true for a 409 only', () => {
    expect(isNoticeChanged(new ApiError('changed', 409))).toBe(true);
    expect(isNoticeChanged(new ApiError('busy', 503))).toBe(false);
    expect(isNoticeChanged(new Error('409'))).toBe(false);
  });
});

/** A fake client and fake dialogs that record what the flow did. */
function fake(replies: (IPrivacyNotice | Error)[], acceptErrors: (Error | null)[] = []) {
  const calls: string[] = [];
  const shown: string[] = [];
  const errors: string[] = [];
  const logs: string[] = [];
  let understood = true;
  const options: IPrivacyFlowOptions = {
    getPrivacy: () => {
      calls.push('GET');
      const reply = replies.shift();
      if (reply === undefined) {
        throw new Error('no more replies');
      }
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
    acceptPrivacy: version => {
      calls.push(`POST ${version}`);
      const error = acceptErrors.shift();
      return error
        ? Promise.reject(error)
        : Promise.resolve({ version, accepted_at: '2025-09-01T08:00:00Z' });
    },
    show: n => {
      shown.push(n.version);
      return Promise.resolve(understood);
    },
    showError: message => {
      errors.push(message);
      return Promise.resolve();
    },
    log: message => {
      logs.push(message);
    }
  };
  return {
    options,
    calls,
    shown,
    errors,
    logs,
    dismiss: () => {
      understood = false;
    }
  };
}

describe('runPrivacyFlow', () => {
  it('shows nothing when the notice is already accepted', async () => {
    const f = fake([notice('v1', '2025-09-01T08:00:00Z')]);
    expect(await runPrivacyFlow(f.options)).toBe('already-accepted');
    expect(f.calls).toEqual(['GET']);
    expect(f.shown).toEqual([]);
  });

  it('shows the notice and stores the version the learner read', async () => {
    const f = fake([notice('v1')]);
    expect(await runPrivacyFlow(f.options)).toBe('accepted');
    expect(f.shown).toEqual(['v1']);
    expect(f.calls).toEqual(['GET', 'POST v1']);
    expect(f.errors).toEqual([]);
  });

  it('does not block the learner when the notice cannot be loaded', async () => {
    const f = fake([new ApiError('Grading service unreachable', 503)]);
    expect(await runPrivacyFlow(f.options)).toBe('unavailable');
    expect(f.shown).toEqual([]);
    expect(f.errors).toEqual([]);
    expect(f.logs).toEqual([
      'Code Runner: could not load the privacy notice: Grading service unreachable'
    ]);
  });

  it('shows the new text when the notice changed while it was read (409)', async () => {
    const f = fake([notice('v1'), notice('v2')], [new ApiError('Notice changed', 409)]);
    expect(await runPrivacyFlow(f.options)).toBe('accepted');
    expect(f.shown).toEqual(['v1', 'v2']);
    expect(f.calls).toEqual(['GET', 'POST v1', 'GET', 'POST v2']);
    expect(f.errors).toEqual([]);
  });

  it('stops when the new notice turns out to be accepted already', async () => {
    const f = fake(
      [notice('v1'), notice('v2', '2025-09-01T08:00:00Z')],
      [new ApiError('Notice changed', 409)]
    );
    expect(await runPrivacyFlow(f.options)).toBe('already-accepted');
    expect(f.shown).toEqual(['v1']);
  });

  it('gives up kindly after the notice changed too many times in a row', async () => {
    const versions = Array.from({ length: MAX_NOTICE_ROUNDS + 1 }, (_, i) => `v${i + 1}`);
    const f = fake(
      versions.map(v => notice(v)),
      versions.map(() => new ApiError('Notice changed', 409))
    );
    expect(await runPrivacyFlow(f.options)).toBe('not-saved');
    expect(f.shown).toEqual(versions.slice(0, MAX_NOTICE_ROUNDS));
    expect(f.errors).toEqual([NOT_SAVED_MESSAGE]);
  });

  it('says kindly that it was not saved on any other error, and does not retry', async () => {
    const f = fake([notice('v1')], [new ApiError('Grading service unreachable', 503)]);
    expect(await runPrivacyFlow(f.options)).toBe('not-saved');
    expect(f.calls).toEqual(['GET', 'POST v1']);
    expect(f.errors).toEqual([NOT_SAVED_MESSAGE]);
  });

  it('says it was not saved when the changed notice cannot be loaded', async () => {
    const f = fake(
      [notice('v1'), new ApiError('Grading service unreachable', 503)],
      [new ApiError('Notice changed', 409)]
    );
    expect(await runPrivacyFlow(f.options)).toBe('not-saved');
    expect(f.errors).toEqual([NOT_SAVED_MESSAGE]);
  });

  it('stores nothing when the dialog closes without the button', async () => {
    const f = fake([notice('v1')]);
    f.dismiss();
    expect(await runPrivacyFlow(f.options)).toBe('dismissed');
    expect(f.calls).toEqual(['GET']);
  });

  it('never throws, even when a dialog does', async () => {
    const f = fake([notice('v1')], [new ApiError('Oops', 500)]);
    f.options.show = () => Promise.reject(new Error('disposed'));
    expect(await runPrivacyFlow(f.options)).toBe('dismissed');

    const g = fake([notice('v1')], [new ApiError('Oops', 500)]);
    g.options.showError = () => Promise.reject(new Error('disposed'));
    expect(await runPrivacyFlow(g.options)).toBe('not-saved');
  });
});
