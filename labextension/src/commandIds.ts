/** Ids of the commands Code Runner adds (the toolbar schema in `schema/` uses them too). */
export namespace CommandIDs {
  /** Save the current notebook or `.py` file and submit it for grading. */
  export const submit = 'coderunner:submit';

  /** Run the problem's public tests on the current file: practice, not graded. */
  export const check = 'coderunner:check';

  /** Reveal the next hint of the current file's problem. */
  export const hint = 'coderunner:hint';

  /** Run the current `.py` program problem with input the learner types. */
  export const runWithInput = 'coderunner:run-with-input';

  /** Bring the result side panel to the front. */
  export const showResult = 'coderunner:show-result';

  /** Bring the Cheatsheets side panel to the front. */
  export const showCheatsheets = 'coderunner:show-cheatsheets';

  /** Open one cheatsheet (args: `{id}`) in the Cheatsheets side panel. */
  export const openCheatsheet = 'coderunner:open-cheatsheet';

  /** Bring the Problems side panel to the front. */
  export const showProblems = 'coderunner:show-problems';
}
