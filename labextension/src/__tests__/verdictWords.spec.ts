import { VERDICTS } from '../apiValues';
import {
  explainVerdict,
  guideSays,
  NO_VERDICT_EXPLANATION,
  VERDICT_EXPLANATION,
  VERDICT_HEADLINE,
  VERDICT_SHORT,
  verdictHeadline
} from '../verdictWords';

const ASTRO = { name: 'Astro', emoji: '🚀', greeting: 'Hi!' };

describe('verdict words', () => {
  it('has a headline, an explanation and short words for each of the 8 verdicts', () => {
    expect(VERDICTS).toHaveLength(8);
    for (const verdict of VERDICTS) {
      for (const text of [
        VERDICT_HEADLINE[verdict],
        VERDICT_EXPLANATION[verdict],
        VERDICT_SHORT[verdict]
      ]) {
        expect(text.trim().length).toBeGreaterThan(3);
        // Plain words for children: no codes, no jargon.
        expect(text).not.toMatch(/HTTP|\d{3}|exception|stderr|verdict|SIGKILL|OOM/i);
      }
    }
  });

  it('gives every verdict its own explanation', () => {
    const texts = VERDICTS.map(v => VERDICT_EXPLANATION[v]);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('says what to look for on a timeout', () => {
    expect(VERDICT_EXPLANATION.timeout).toBe(
      'Your program took too long. Is there a loop that never stops?'
    );
  });

  it('tells the learner an internal error is not their fault', () => {
    expect(VERDICT_EXPLANATION.internal_error).toMatch(/not your fault/);
  });
});

describe('guideSays', () => {
  it('puts the guide (emoji and name) before the words', () => {
    expect(guideSays(ASTRO, 'Well done!')).toBe('🚀 Astro says: Well done!');
    expect(guideSays({ ...ASTRO, emoji: '' }, 'Hi.')).toBe('Astro says: Hi.');
  });

  it('says the words alone without a guide', () => {
    expect(guideSays(null, 'Well done!')).toBe('Well done!');
    expect(guideSays(undefined, 'Well done!')).toBe('Well done!');
  });

  it("explains a verdict, or no verdict, in the guide's voice", () => {
    expect(explainVerdict('timeout', ASTRO)).toBe(
      '🚀 Astro says: Your program took too long. Is there a loop that never stops?'
    );
    expect(explainVerdict(null)).toBe(NO_VERDICT_EXPLANATION);
    expect(verdictHeadline('passed')).toBe(VERDICT_HEADLINE.passed);
    expect(verdictHeadline(null)).toMatch(/could not check/);
  });
});
