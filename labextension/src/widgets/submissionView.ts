import { Widget } from '@lumino/widgets';

import { recordedForText } from '../assessments';
import { describeError } from '../errors';
import {
  IAssessment,
  ISubmission,
  isFinished,
  ITestResult,
  PendingStatus,
  Verdict
} from '../records';

/** What a learner reads for each verdict (a new verdict fails the build until named). */
const VERDICT_TEXT: Record<Verdict, string> = {
  passed: 'Passed',
  failed: 'Failed',
  syntax_error: 'Syntax error',
  timeout: 'Timeout',
  memory_limit: 'Memory limit',
  output_limit: 'Output limit',
  crashed: 'Crashed',
  internal_error: 'Internal error'
};

/** What a learner reads while a submission waits for its verdict. */
const PENDING_TEXT: Record<PendingStatus, string> = {
  queued: 'Queued for grading…',
  running: 'Running the tests…'
};

/**
 * Live view of one submission, shown in the submit dialog: the state while it is
 * queued or running, then the verdict, the score and one row per test. Hidden tests
 * show their name and pass/fail only. A submission recorded for an assessment says so
 * ("Recorded for Loops quiz"); `assessment` names the one it was sent for.
 */
export class SubmissionView extends Widget {
  constructor(problemId: string, assessment: IAssessment | null = null) {
    super();
    this.addClass('jp-CodeRunner-result');
    this._problemId = problemId;
    this._assessment = assessment;
    this.showStatus('Saving…');
  }

  showStatus(text: string): void {
    this.node.replaceChildren(...this._header(), line('jp-CodeRunner-status', text));
    this.node.setAttribute('aria-busy', 'true');
  }

  showError(error: unknown): void {
    const message = line('jp-CodeRunner-error', describeError(error));
    message.setAttribute('role', 'alert');
    this.node.replaceChildren(...this._header(), message);
    this.node.removeAttribute('aria-busy');
  }

  /**
   * The assessment the service recorded the submission for (from its ticket or
   * record); null or undefined: practice. Shown from the next update on.
   */
  setRecordedFor(assessmentId: string | null | undefined): void {
    this._recordedFor = assessmentId || null;
  }

  /** A submission still waiting for its verdict. */
  showPending(status: PendingStatus): void {
    this.showStatus(PENDING_TEXT[status]);
  }

  showSubmission(submission: ISubmission): void {
    if (submission.assessment_id !== undefined) {
      this.setRecordedFor(submission.assessment_id);
    }
    if (!isFinished(submission.status)) {
      this.showPending(submission.status);
      return;
    }
    this.node.removeAttribute('aria-busy');
    const nodes: HTMLElement[] = this._header();

    const passed = submission.status === 'graded' && submission.verdict === 'passed';
    const verdict = line(
      'jp-CodeRunner-verdict',
      submission.status === 'failed' || submission.verdict === null
        ? 'Grading failed'
        : VERDICT_TEXT[submission.verdict]
    );
    verdict.classList.add(passed ? 'jp-mod-pass' : 'jp-mod-fail');
    nodes.push(verdict);

    if (submission.score !== null) {
      const tests =
        submission.total !== null
          ? ` · ${submission.passed ?? 0} of ${submission.total} tests passed`
          : '';
      const score = `Score ${submission.score} / ${submission.max_score ?? '?'}${tests}`;
      nodes.push(line('jp-CodeRunner-score', score));
    }
    if (submission.message) {
      nodes.push(line('jp-CodeRunner-message', submission.message));
    }
    if (submission.tests.length > 0) {
      nodes.push(renderTests(submission.tests));
    }
    this.node.replaceChildren(...nodes);
  }

  private _header(): HTMLElement[] {
    const nodes = [line('jp-CodeRunner-problemId', `Problem: ${this._problemId}`)];
    if (this._recordedFor) {
      const title =
        this._assessment?.id === this._recordedFor ? this._assessment.title : this._recordedFor;
      nodes.push(line('jp-CodeRunner-recordedFor', recordedForText(title)));
    }
    return nodes;
  }

  private _problemId: string;
  private _assessment: IAssessment | null;
  /** The id of the assessment the submission is recorded for; null for practice. */
  private _recordedFor: string | null = null;
}

function renderTests(tests: ITestResult[]): HTMLElement {
  const table = document.createElement('table');
  table.className = 'jp-CodeRunner-tests';
  const head = table.createTHead().insertRow();
  for (const title of ['Test', 'Result', 'Details']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const test of tests) {
    const hidden = test.visibility === 'hidden';
    const passed = test.status === 'pass';
    const row = body.insertRow();
    row.className = `jp-CodeRunner-test jp-mod-${passed ? 'pass' : 'fail'}`;
    row.insertCell().textContent = hidden ? `${test.name} (hidden)` : test.name;
    // A hidden test says pass or fail, nothing more (not even "error" or "skipped").
    row.insertCell().textContent = passed ? 'pass' : hidden ? 'fail' : test.status;
    const details = row.insertCell();
    if (!hidden) {
      if (test.message) {
        details.appendChild(line('jp-CodeRunner-testMessage', test.message, 'pre'));
      }
      if (test.stdout) {
        details.appendChild(line('jp-CodeRunner-testStdout', test.stdout, 'pre'));
      }
    }
  }
  return table;
}

function line(className: string, text: string, tag: 'div' | 'pre' = 'div'): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}
