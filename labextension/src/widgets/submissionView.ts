import { Widget } from '@lumino/widgets';

import { describeError, ISubmission, ITestResult } from '../api';

/**
 * Live view of one submission, shown in the submit dialog: the state while it is
 * queued or running, then the verdict, the score and one row per test. Hidden tests
 * show their name and pass/fail only.
 */
export class SubmissionView extends Widget {
  constructor(problemId: string) {
    super();
    this.addClass('jp-CodeRunner-result');
    this._problemId = problemId;
    this.showStatus('Saving…');
  }

  showStatus(text: string): void {
    this.node.replaceChildren(this._header(), line('jp-CodeRunner-status', text));
    this.node.setAttribute('aria-busy', 'true');
  }

  showError(error: unknown): void {
    const message = line('jp-CodeRunner-error', describeError(error));
    message.setAttribute('role', 'alert');
    this.node.replaceChildren(this._header(), message);
    this.node.removeAttribute('aria-busy');
  }

  showSubmission(submission: ISubmission): void {
    const status = submission.status;
    if (status === 'queued' || status === 'running') {
      this.showStatus(status === 'queued' ? 'Queued for grading…' : 'Running the tests…');
      return;
    }
    this.node.removeAttribute('aria-busy');
    const nodes: HTMLElement[] = [this._header()];

    const verdict = line(
      'jp-CodeRunner-verdict',
      status === 'failed' ? 'Grading failed' : humanVerdict(submission.verdict)
    );
    verdict.classList.add(isAccepted(submission) ? 'jp-mod-pass' : 'jp-mod-fail');
    nodes.push(verdict);

    if (submission.score !== null && submission.score !== undefined) {
      const tests =
        submission.total !== null && submission.total !== undefined
          ? ` · ${submission.passed ?? 0} of ${submission.total} tests passed`
          : '';
      const score = `Score ${submission.score} / ${submission.max_score ?? '?'}${tests}`;
      nodes.push(line('jp-CodeRunner-score', score));
    }
    if (submission.message) {
      nodes.push(line('jp-CodeRunner-message', submission.message));
    }
    const tests = submission.tests ?? [];
    if (tests.length > 0) {
      nodes.push(renderTests(tests));
    }
    this.node.replaceChildren(...nodes);
  }

  private _header(): HTMLElement {
    return line('jp-CodeRunner-problemId', `Problem: ${this._problemId}`);
  }

  private _problemId: string;
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
    const row = body.insertRow();
    row.className = `jp-CodeRunner-test jp-mod-${test.status === 'pass' ? 'pass' : 'fail'}`;
    row.insertCell().textContent = hidden ? `${test.name} (hidden)` : test.name;
    // A hidden test says pass or fail, nothing more (not even "error").
    row.insertCell().textContent = test.status === 'pass' ? 'pass' : hidden ? 'fail' : test.status;
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

function isAccepted(submission: ISubmission): boolean {
  if (submission.status !== 'graded') {
    return false;
  }
  if (submission.total) {
    return submission.passed === submission.total;
  }
  return /^(accepted|pass(ed)?|ok|correct)$/i.test(submission.verdict ?? '');
}

function humanVerdict(verdict: string | null | undefined): string {
  if (!verdict) {
    return 'Graded';
  }
  const text = verdict.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function line(className: string, text: string, tag: 'div' | 'pre' = 'div'): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}
