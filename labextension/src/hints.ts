/** Hints as the result panel shows them ("Hint 1 of 3"). No JupyterLab imports. */
import type { IHints } from './records';

export interface IHintsView {
  items: { label: string; text: string }[];
  /** Whether the Hint button can reveal one more. */
  canReveal: boolean;
  buttonLabel: string;
  /** Said under the hints ('' when nothing to say). */
  note: string;
}

/** The revealed hints, numbered, and what the Hint button says. */
export function hintsView(hints: IHints | null): IHintsView {
  const total = hints?.total ?? 0;
  const revealed = hints?.revealed ?? [];
  const items = revealed.map((text, i) => ({
    label: `Hint ${i + 1} of ${Math.max(total, revealed.length)}`,
    text
  }));
  if (hints === null) {
    return { items, canReveal: true, buttonLabel: 'Show a hint', note: '' };
  }
  if (total === 0) {
    return { items, canReveal: false, buttonLabel: 'No hints', note: 'This problem has no hints.' };
  }
  if (revealed.length >= total) {
    return { items, canReveal: false, buttonLabel: 'No more hints', note: '' };
  }
  return {
    items,
    canReveal: true,
    buttonLabel: revealed.length === 0 ? 'Show a hint' : 'Show another hint',
    note: ''
  };
}
