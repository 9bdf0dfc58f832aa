import { Token } from '@lumino/coreutils';

import type { CodeRunnerClient } from './api';

/**
 * The Code Runner API client shared by the problems panel and the submit command.
 * Its `submissionFinished` signal lets the panel refresh progress after a grading.
 */
export const ICodeRunnerClient = new Token<CodeRunnerClient>(
  'coderunner-labextension:ICodeRunnerClient',
  'Client for the Code Runner server extension (problems, submissions, progress).'
);
