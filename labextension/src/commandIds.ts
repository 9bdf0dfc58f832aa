/** Ids of the commands Code Runner adds (the toolbar schema in `schema/` uses them too). */
export namespace CommandIDs {
  /** Save the current notebook or `.py` file and submit it for grading. */
  export const submit = 'coderunner:submit';

  /** Bring the Problems side panel to the front. */
  export const showProblems = 'coderunner:show-problems';
}
