/** Whether a browser shows a learner Code Runner for the first time. */

/** The key remembering that this browser has shown a learner the Problems panel. */
export const WELCOMED_KEY = 'coderunner:welcomed';

/** True the first time it is asked in a browser (it remembers the visit). */
export function isFirstVisit(storage: Pick<Storage, 'getItem' | 'setItem'> | null): boolean {
  if (!storage) {
    return false;
  }
  try {
    if (storage.getItem(WELCOMED_KEY)) {
      return false;
    }
    storage.setItem(WELCOMED_KEY, new Date().toISOString());
    return true;
  } catch {
    return false; // storage switched off: keep JupyterLab's own layout
  }
}
