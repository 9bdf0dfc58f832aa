/**
 * Points as a learner reads them: whole points, or one decimal at most ("1.7 / 10",
 * "10 / 10"). The service may send fractions such as 1.6666…
 */

/** 10 → "10", 1.66 → "1.7", 2.04 → "2", -0 → "0"; not a number → "?". */
export function formatPoints(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '?';
  }
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** "1.7 / 10"; an unknown part shows as "?". */
export function formatScore(
  score: number | null | undefined,
  max: number | null | undefined
): string {
  return `${formatPoints(score)} / ${formatPoints(max)}`;
}

/** "1 point", "1.5 points", "85 points". */
export function pointsWord(value: number): string {
  const text = formatPoints(value);
  return text === '1' ? '1 point' : `${text} points`;
}
