/**
 * A small line diff of the output a test expected and the output the program printed,
 * for a learner to read: each line is the same in both, missing (expected but not
 * printed) or extra (printed but not expected). No JupyterLab imports.
 */

export type DiffKind = 'same' | 'missing' | 'extra';

export interface IDiffLine {
  kind: DiffKind;
  text: string;
}

/** Above this many lines on either side, lines are paired by position (no search). */
const MAX_LINES = 500;

/** The lines of a text; one final newline ends the last line, it does not add one. */
export function splitLines(text: string): string[] {
  const normal = text.replace(/\r\n?/g, '\n');
  if (normal === '') {
    return [];
  }
  const lines = normal.split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * The lines of `expected` and `got` in order, each marked: a longest common
 * subsequence of lines is `same`, and around it the expected lines come `missing`
 * before the printed ones `extra`.
 */
export function lineDiff(expected: string, got: string): IDiffLine[] {
  const a = splitLines(expected);
  const b = splitLines(got);
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return positionalDiff(a, b);
  }
  // lengths[i][j]: the longest common subsequence of a[i:] and b[j:].
  const lengths: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0)
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] =
        a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const lines: IDiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      lines.push({ kind: 'missing', text: a[i++] });
    } else {
      lines.push({ kind: 'extra', text: b[j++] });
    }
  }
  while (i < a.length) {
    lines.push({ kind: 'missing', text: a[i++] });
  }
  while (j < b.length) {
    lines.push({ kind: 'extra', text: b[j++] });
  }
  return lines;
}

function positionalDiff(a: string[], b: string[]): IDiffLine[] {
  const lines: IDiffLine[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (k < a.length && k < b.length && a[k] === b[k]) {
      lines.push({ kind: 'same', text: a[k] });
      continue;
    }
    if (k < a.length) {
      lines.push({ kind: 'missing', text: a[k] });
    }
    if (k < b.length) {
      lines.push({ kind: 'extra', text: b[k] });
    }
  }
  return lines;
}

/** The mark at the start of a diff line, and what it says to a screen reader. */
export const DIFF_MARK: Record<DiffKind, { sign: string; label: string }> = {
  same: { sign: ' ', label: 'Same' },
  missing: { sign: '−', label: 'Expected, missing from your output' },
  extra: { sign: '+', label: 'Printed by your program, not expected' }
};

/**
 * A tip when the only differences are ones a learner easily misses: spaces at the
 * ends of lines, capital letters, or empty lines. '' when there is no such tip (or
 * no difference at all).
 */
export function diffTip(expected: string, got: string): string {
  const a = splitLines(expected);
  const b = splitLines(got);
  if (a.join('\n') === b.join('\n')) {
    return '';
  }
  const trimmed = (lines: string[]) => lines.map(l => l.trimEnd());
  if (trimmed(a).join('\n') === trimmed(b).join('\n')) {
    return 'Look closely: only the spaces at the end of some lines are different.';
  }
  const nonEmpty = (lines: string[]) => lines.filter(l => l.trim() !== '');
  if (nonEmpty(trimmed(a)).join('\n') === nonEmpty(trimmed(b)).join('\n')) {
    return 'Look closely: only the empty lines are different.';
  }
  if (a.join('\n').toLowerCase() === b.join('\n').toLowerCase()) {
    return 'Look closely: only capital and small letters are different.';
  }
  return '';
}

/** Shows the spaces at the end of a line as "·" so a learner can see them. */
export function showTrailingSpaces(line: string): string {
  const body = line.trimEnd();
  return body + '·'.repeat(line.length - body.length);
}
