/**
 * Keeping the keyboard focus across a redraw: the focused element is found again by
 * its `data-cr` hook and `data-id`, so a learner using the keyboard stays in place.
 */

/** A selector for the focused element inside `root`, if it has a `data-cr` hook. */
export function focusKey(root: HTMLElement): string | null {
  const active = document.activeElement as HTMLElement | null;
  if (!active || !root.contains(active) || !active.dataset.cr) {
    return null;
  }
  const id = active.dataset.id;
  return (
    `[data-cr="${active.dataset.cr}"]` + (id !== undefined ? `[data-id="${CSS.escape(id)}"]` : '')
  );
}

/** Focuses the element `key` names, when the focus was lost in the redraw. */
export function restoreFocus(root: HTMLElement, key: string | null): void {
  if (!key) {
    return;
  }
  const active = document.activeElement;
  if (active && active !== document.body && root.contains(active)) {
    return; // still focused somewhere inside
  }
  root.querySelector<HTMLElement>(key)?.focus();
}
