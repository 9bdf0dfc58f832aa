/**
 * Where a learner's file says which problem it belongs to: notebooks carry
 * `metadata.coderunner.problem_id`, `.py` files start with `# coderunner: problem_id=<id>`
 * or, without that line, are named `problems/<id>.py`.
 */

const PROBLEM_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SCRIPT_MARKER = /^#\s*coderunner:\s*problem_id=(\S+)\s*$/;

export function problemIdFromMetadata(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== 'object') {
    return null;
  }
  const id = (metadata as { problem_id?: unknown }).problem_id;
  return typeof id === 'string' && PROBLEM_ID.test(id) ? id : null;
}

export function problemIdFromSource(source: string): string | null {
  const firstLine = source.split('\n', 1)[0].replace(/\r$/, '');
  const match = SCRIPT_MARKER.exec(firstLine);
  return match && PROBLEM_ID.test(match[1]) ? match[1] : null;
}

/** `problems/<id>.py` (the name the Problems panel gives a problem's file), or null. */
export function problemIdFromPath(path: string): string | null {
  const match = /(?:^|\/)problems\/([^/]+)\.py$/.exec(path);
  return match && PROBLEM_ID.test(match[1]) ? match[1] : null;
}

/** A `.py` file's problem: its marker line first, else its name under `problems/`. */
export function problemIdOfScript(source: string, path: string): string | null {
  return problemIdFromSource(source) ?? problemIdFromPath(path);
}
