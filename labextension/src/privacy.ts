/**
 * The privacy notice a learner reads on first sign-in, and again whenever its text
 * changes. The flow takes its dialogs and its client calls as functions, so it is
 * tested without a browser; `plugins/privacy.ts` wires in the real ones.
 */
import { ApiError, describeError } from './errors';
import type { IPrivacyAcceptance, IPrivacyNotice } from './records';

/** Shown, kindly, when the acceptance could not be saved: the learner carries on. */
export const NOT_SAVED_MESSAGE =
  "We could not save that you read this. That's OK: you can start now. " +
  'We will show it to you again next time.';

/** The notice changed this many times in a row while being read: stop asking. */
export const MAX_NOTICE_ROUNDS = 3;

/** How the flow ended, for logs and tests. */
export type PrivacyOutcome =
  /** This learner had already accepted the notice in force (or there is none). */
  | 'already-accepted'
  /** The learner pressed "I understand" and the server stored it. */
  | 'accepted'
  /** The notice could not be fetched: the learner goes on without seeing it. */
  | 'unavailable'
  /** The acceptance was not stored; the notice shows again next time Lab loads. */
  | 'not-saved'
  /** The dialog closed without the button (disposed by Lab): nothing was stored. */
  | 'dismissed';

export interface IPrivacyFlowOptions {
  getPrivacy(): Promise<IPrivacyNotice>;
  acceptPrivacy(version: string): Promise<IPrivacyAcceptance>;
  /** Shows the notice; true once the learner pressed "I understand". */
  show(notice: IPrivacyNotice): Promise<boolean>;
  /** Tells the learner, kindly, that something went wrong. */
  showError(message: string): Promise<void>;
  /** Where problems nobody needs to see go (the browser console). */
  log(message: string): void;
}

/**
 * Whether to show the notice from a GET privacy reply: only when this learner has
 * not accepted this version, and there is a version and some text to accept.
 */
export function shouldShowNotice(reply: IPrivacyNotice | null | undefined): boolean {
  if (!reply || typeof reply !== 'object') {
    return false;
  }
  const accepted = typeof reply.accepted_at === 'string' && reply.accepted_at !== '';
  return (
    !accepted &&
    typeof reply.version === 'string' &&
    reply.version !== '' &&
    typeof reply.text === 'string' &&
    reply.text.trim() !== ''
  );
}

/** A 409 from POST privacy: the notice changed while the learner read it. */
export function isNoticeChanged(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/**
 * Fetches the notice and, if this learner has not accepted it, shows it until they
 * press "I understand", then stores that. If the text changed meanwhile (409), the
 * new text is shown. Never throws and never blocks the learner: if the notice cannot
 * be fetched, that is logged and Lab carries on; if the acceptance cannot be stored,
 * a kind message says so and the notice comes back next time Lab loads.
 */
export async function runPrivacyFlow(options: IPrivacyFlowOptions): Promise<PrivacyOutcome> {
  let notice: IPrivacyNotice;
  try {
    notice = await options.getPrivacy();
  } catch (error) {
    options.log(`Code Runner: could not load the privacy notice: ${describeError(error)}`);
    return 'unavailable';
  }
  for (let round = 1; ; round++) {
    if (!shouldShowNotice(notice)) {
      return 'already-accepted';
    }
    let understood = false;
    try {
      understood = await options.show(notice);
    } catch (error) {
      options.log(`Code Runner: the privacy notice closed: ${describeError(error)}`);
    }
    if (!understood) {
      return 'dismissed';
    }
    try {
      await options.acceptPrivacy(notice.version);
      return 'accepted';
    } catch (error) {
      options.log(`Code Runner: could not save the privacy notice: ${describeError(error)}`);
      if (!isNoticeChanged(error) || round >= MAX_NOTICE_ROUNDS) {
        return notSaved(options);
      }
    }
    try {
      notice = await options.getPrivacy();
    } catch (error) {
      options.log(`Code Runner: could not load the new privacy notice: ${describeError(error)}`);
      return notSaved(options);
    }
  }
}

async function notSaved(options: IPrivacyFlowOptions): Promise<PrivacyOutcome> {
  try {
    await options.showError(NOT_SAVED_MESSAGE);
  } catch (error) {
    options.log(`Code Runner: could not show an error: ${describeError(error)}`);
  }
  return 'not-saved';
}
