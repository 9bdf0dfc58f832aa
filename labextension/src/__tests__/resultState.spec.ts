import { ApiError } from '../errors';
import type { ICheckResult, ISubmission, ITestResult } from '../records';
import {
  callText,
  describeResult,
  errorState,
  inputText,
  mustWait,
  PRACTICE_LABEL,
  queueText,
  runView,
  submissionState,
  summaryOf,
  testRow
} from '../resultState';

const ASTRO = { name: 'Astro', emoji: '🚀', greeting: 'Hi!' };

function submission(extra: Partial<ISubmission> = {}): ISubmission {
  return {
    id: 's1',
    problem_id: 'add-two',
    status: 'graded',
    verdict: 'failed',
    message: '2 of 3 tests passed.',
    score: 6.6666,
    max_score: 10,
    passed: 2,
    total: 3,
    tests: [],
    ...extra
  };
}

const programTest: ITestResult = {
  name: 'greets Ada',
  status: 'fail',
  visibility: 'public',
  message: 'The output is not what was expected.',
  detail: { stdin: 'Ada\n', expected: 'Hello, Ada!\n', got: 'Hello Ada\n' }
};

const functionTest: ITestResult = {
  name: 'adds small numbers',
  status: 'fail',
  visibility: 'public',
  message: 'add(2, 3) gave None, expected 5. Did you return the answer?',
  detail: { call: 'add(2, 3)', got: 'None', expected: '5' }
};

const hiddenTest: ITestResult = {
  name: 'hidden 1',
  status: 'error',
  visibility: 'hidden',
  message: 'should never show',
  stdout: 'secret'
};

describe('queueText', () => {
  it('tells the learner their place in the queue', () => {
    expect(queueText(2)).toBe('You are number 2 in the queue.');
    expect(queueText(1)).toBe('You are next in the queue!');
    expect(queueText(null)).toBe('Waiting in the queue…');
    expect(queueText(0)).toBe('Waiting in the queue…');
  });
});

describe('describeResult: waiting', () => {
  it('is busy while saving, sending, queued and running', () => {
    expect(describeResult({ kind: 'saving', practice: false })).toMatchObject({
      busy: true,
      status: 'Saving your file…'
    });
    expect(describeResult({ kind: 'sending', practice: true })).toMatchObject({
      busy: true,
      practice: true,
      status: 'Checking your code…'
    });
    expect(describeResult({ kind: 'queued', position: 2 })).toMatchObject({
      busy: true,
      status: 'You are number 2 in the queue.',
      headline: ''
    });
    expect(describeResult({ kind: 'running' })).toMatchObject({
      busy: true,
      status: 'Running the tests on your code…'
    });
    expect(describeResult({ kind: 'idle' })).toMatchObject({ busy: false, status: '' });
  });

  it('follows a submission record: queued with its place, running, graded', () => {
    expect(submissionState(submission({ status: 'queued', position: 3 }))).toEqual({
      kind: 'queued',
      position: 3
    });
    expect(submissionState(submission({ status: 'queued' }))).toEqual({
      kind: 'queued',
      position: null
    });
    expect(submissionState(submission({ status: 'running' }))).toEqual({ kind: 'running' });
    expect(submissionState(submission()).kind).toBe('graded');
  });
});

describe('describeResult: graded', () => {
  it("shows the verdict, the guide's words, a rounded score and the summary once", () => {
    const view = describeResult({ kind: 'graded', submission: submission() }, ASTRO);
    expect(view.busy).toBe(false);
    expect(view.outcome).toBe('fail');
    expect(view.headline).toBe('Not quite yet');
    expect(view.explanation).toMatch(/^🚀 Astro says: /);
    expect(view.score).toBe('Score: 6.7 / 10');
    expect(view.summary).toBe('2 of 3 tests passed.');
    // Said once: not again in the score line.
    expect(view.score).not.toMatch(/tests passed/);
    expect(view.status).toBe('Not quite yet');
    expect(view.practice).toBe(false);
  });

  it('shows a pass with whole points', () => {
    const view = describeResult({
      kind: 'graded',
      submission: submission({ verdict: 'passed', score: 10, message: 'All 3 tests passed.' })
    });
    expect(view.outcome).toBe('pass');
    expect(view.score).toBe('Score: 10 / 10');
  });

  it('explains a timeout in plain words', () => {
    const view = describeResult(
      { kind: 'graded', submission: submission({ verdict: 'timeout', score: 0 }) },
      ASTRO
    );
    expect(view.explanation).toBe(
      '🚀 Astro says: Your program took too long. Is there a loop that never stops?'
    );
  });

  it('says grading failed without blaming the learner', () => {
    const view = describeResult({
      kind: 'graded',
      submission: submission({ status: 'failed', verdict: null, score: null, message: '' })
    });
    expect(view.outcome).toBeNull();
    expect(view.explanation).toMatch(/not your fault/);
    expect(view.score).toBe('');
  });
});

describe('describeResult: practice check', () => {
  it('marks a check as practice, without a score', () => {
    const check: ICheckResult = {
      practice: true,
      verdict: 'failed',
      message: '',
      passed: 1,
      total: 2,
      tests: [programTest]
    };
    const view = describeResult({ kind: 'checked', check });
    expect(view.practice).toBe(true);
    expect(view.score).toBe('');
    expect(view.summary).toBe('1 of 2 tests passed.');
    expect(view.status).toBe('Practice check: Not quite yet');
    expect(PRACTICE_LABEL).toBe('Practice check — not sent to your teacher');
  });
});

describe('describeResult: errors', () => {
  const now = 1_000_000;

  it('counts down from Retry-After on a busy answer, without HTTP codes', () => {
    const state = errorState(new ApiError('The grader is very busy.', 503, 6), false, now);
    expect(state).toEqual({
      kind: 'error',
      message: 'The grader is very busy.',
      retryAt: now + 6000,
      practice: false
    });
    expect(describeResult(state, null, now).countdown).toBe('You can send again in 6 s.');
    expect(describeResult(state, null, now + 2500).countdown).toBe('You can send again in 4 s.');
    expect(describeResult(state, null, now + 6000).countdown).toBe('You can send again now.');
    expect(describeResult(state, null, now).status).toBe('The grader is very busy.');
    expect(mustWait(state, now + 5999)).toBe(true);
    expect(mustWait(state, now + 6000)).toBe(false);
  });

  it('counts down for 429 too, and never repeats the wait sentence', () => {
    const state = errorState(new ApiError('Slow down a little.', 429, 30), true, now);
    const view = describeResult(state, null, now);
    expect(view.status).toBe('Slow down a little.');
    expect(view.countdown).toBe('You can send again in 30 s.');
    expect(`${view.status} ${view.countdown}`).not.toMatch(/HTTP|429/);
    expect(view.practice).toBe(true);
  });

  it('has no countdown for other errors', () => {
    const state = errorState(new ApiError('This level is locked.', 403), false, now);
    expect(describeResult(state, null, now).countdown).toBe('');
    expect(mustWait(state, now)).toBe(false);
    expect(errorState(new Error('boom'), false, now)).toMatchObject({
      message: 'boom',
      retryAt: null
    });
  });
});

describe('testRow', () => {
  it("shows a program test's input and a line diff of expected and printed output", () => {
    const row = testRow(programTest);
    expect(row.passed).toBe(false);
    expect(row.result).toBe('Not passed');
    expect(row.message).toBe('The output is not what was expected.');
    expect(row.input).toBe('Ada\n');
    expect(inputText(row.input!)).toBe('Input used: Ada');
    expect(row.diff).toEqual([
      { kind: 'missing', text: 'Hello, Ada!' },
      { kind: 'extra', text: 'Hello Ada' }
    ]);
  });

  it("shows a function test's call once, not when the message says it already", () => {
    expect(testRow(functionTest).call).toBe('');
    expect(testRow({ ...functionTest, message: 'Wrong answer.' }).call).toBe(
      'add(2, 3) gave None, expected 5'
    );
    expect(callText({ call: 'f()', got: "'a'", expected: "'b'" })).toBe(
      "f() gave 'a', expected 'b'"
    );
  });

  it('shows only the name and pass or fail of a hidden test', () => {
    const row = testRow(hiddenTest);
    expect(row).toMatchObject({
      name: 'hidden 1',
      hidden: true,
      passed: false,
      result: 'Not passed',
      message: '',
      stdout: '',
      input: null,
      diff: null,
      call: ''
    });
  });

  it('says "Passed" for a passing test', () => {
    expect(testRow({ ...programTest, status: 'pass' }).result).toBe('Passed');
  });
});

describe('inputText', () => {
  it('shows typed lines on one line, or says there was none', () => {
    expect(inputText('3\n5\n')).toBe('Input used: 3 ⏎ 5');
    expect(inputText('')).toBe('Input used: (none)');
  });
});

describe('summaryOf', () => {
  it("uses the service's message when there is one, else counts the tests", () => {
    expect(summaryOf('All 3 tests passed.', 3, 3)).toBe('All 3 tests passed.');
    expect(summaryOf('', 1, 1)).toBe('1 of 1 test passed.');
    expect(summaryOf('', null, null)).toBe('');
  });
});

describe('runView', () => {
  it('shows what the program printed, or says it printed nothing', () => {
    expect(runView({ stdout: 'Hi\n', error: null, timed_out: false })).toEqual({
      output: 'Hi\n',
      problem: ''
    });
    expect(runView({ stdout: '', error: 'NameError: x', timed_out: false })).toEqual({
      output: '(Your program printed nothing.)',
      problem: 'NameError: x'
    });
    expect(runView({ stdout: '', error: null, timed_out: true }).problem).toMatch(/too long/);
  });
});
