/**
 * Putting the code of an earlier submission back into the learner's file. A `.py`
 * file gets the whole code (with its problem line first); a notebook keeps its
 * statement (Markdown cells) and cells tagged `skip-grading`, and its graded code
 * cells are replaced by one cell holding the code. No JupyterLab imports.
 */
import { problemIdFromSource } from './problemId';

/** The tag of code cells the grader leaves out (grading_service/edge/notebook.py). */
export const SKIP_TAG = 'skip-grading';

/** What a notebook cell looks like to the plan. */
export interface ICellInfo {
  type: string;
  tags: string[];
}

export interface INotebookRestore {
  /** Indices of the cells to delete, highest first (delete in this order). */
  remove: number[];
  /** Where to insert the new code cell once those are deleted. */
  insertAt: number;
}

/** The graded code cells go; the code goes where the first of them was. */
export function notebookRestorePlan(cells: ICellInfo[]): INotebookRestore {
  const graded = cells
    .map((cell, i) => ({ cell, i }))
    .filter(({ cell }) => cell.type === 'code' && !cell.tags.includes(SKIP_TAG))
    .map(({ i }) => i);
  if (graded.length > 0) {
    return { remove: [...graded].reverse(), insertAt: graded[0] };
  }
  // No code cell: after the statement (the leading Markdown cells).
  let at = 0;
  while (at < cells.length && cells[at].type === 'markdown') {
    at++;
  }
  return { remove: [], insertAt: at };
}

/**
 * The code as a notebook cell: without the `.py` problem line, which a notebook does
 * not need, and without trailing newlines.
 */
export function codeForCell(code: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  if (problemIdFromSource(lines[0] ?? '') !== null) {
    lines.shift();
  }
  return lines.join('\n').replace(/^\n+/, '').replace(/\n+$/, '');
}

/** The whole `.py` file: the code, starting with the problem line for `problemId`. */
export function codeForScript(code: string, problemId: string): string {
  const text = code.replace(/\r\n?/g, '\n');
  const body =
    problemIdFromSource(text) !== null ? text : `# coderunner: problem_id=${problemId}\n${text}`;
  return body.endsWith('\n') ? body : `${body}\n`;
}
