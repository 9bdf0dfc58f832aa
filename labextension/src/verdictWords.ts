/**
 * What each verdict means, in words for a learner aged 8 to 16, said by the track's
 * guide ("Astro says: …"). No JupyterLab imports, so these are tested without a browser.
 */
import type { IGuide, Verdict } from './records';

/** The short headline of a result (a new verdict fails the build until it has one). */
export const VERDICT_HEADLINE: Record<Verdict, string> = {
  passed: 'All tests passed!',
  failed: 'Not quite yet',
  syntax_error: 'Python could not read your code',
  timeout: 'Your program took too long',
  memory_limit: 'Your program used too much memory',
  output_limit: 'Your program printed too much',
  crashed: 'Your program stopped with an error',
  internal_error: 'Something went wrong on our side'
};

/** What went on and what to try next. */
export const VERDICT_EXPLANATION: Record<Verdict, string> = {
  passed: 'Your code did everything the tests asked. Well done!',
  failed:
    'Your code runs, but some answers are not what the tests expected. ' +
    'Look at the tests below to see what was different.',
  syntax_error:
    'There is a typing mistake in your code, so Python could not read it. ' +
    'Check for a missing bracket, quote or colon, and for spaces at the start of lines.',
  timeout: 'Your program took too long. Is there a loop that never stops?',
  memory_limit:
    'Your program used too much memory. Is a list growing forever, or a loop adding ' +
    'things that never ends?',
  output_limit:
    'Your program printed far too much. Is there a print inside a loop that never stops?',
  crashed:
    'Your program stopped with an error while it ran. Read the error message below: ' +
    'it names the line where things went wrong.',
  internal_error:
    'This was not your fault: the checker had a problem. Please send your code again in a ' +
    'little while.'
};

/** When grading ended without a verdict (status `failed`). */
export const NO_VERDICT_HEADLINE = 'We could not check your code';
export const NO_VERDICT_EXPLANATION =
  'This was not your fault. Please send your code again in a little while.';

/** Short words for a verdict in a list ("Passed", "Too slow"). */
export const VERDICT_SHORT: Record<Verdict, string> = {
  passed: 'Passed',
  failed: 'Not yet',
  syntax_error: 'Typing mistake',
  timeout: 'Too slow',
  memory_limit: 'Too much memory',
  output_limit: 'Printed too much',
  crashed: 'Stopped with an error',
  internal_error: 'Not checked'
};

/** "🚀 Astro says: …"; the plain text when the track has no guide. */
export function guideSays(guide: IGuide | null | undefined, text: string): string {
  if (!guide || !guide.name) {
    return text;
  }
  const who = guide.emoji ? `${guide.emoji} ${guide.name}` : guide.name;
  return `${who} says: ${text}`;
}

/** The explanation of a verdict (or of no verdict), said by the guide. */
export function explainVerdict(verdict: Verdict | null, guide?: IGuide | null): string {
  return guideSays(guide, verdict ? VERDICT_EXPLANATION[verdict] : NO_VERDICT_EXPLANATION);
}

/** The headline of a verdict (or of no verdict). */
export function verdictHeadline(verdict: Verdict | null): string {
  return verdict ? VERDICT_HEADLINE[verdict] : NO_VERDICT_HEADLINE;
}
