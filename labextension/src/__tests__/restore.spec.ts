import { codeForCell, codeForScript, notebookRestorePlan } from '../restore';

describe('notebookRestorePlan', () => {
  it('replaces the graded code cells, keeping the statement', () => {
    const plan = notebookRestorePlan([
      { type: 'markdown', tags: [] },
      { type: 'code', tags: [] },
      { type: 'code', tags: [] }
    ]);
    expect(plan).toEqual({ remove: [2, 1], insertAt: 1 });
  });

  it('keeps cells tagged skip-grading and Markdown between code cells', () => {
    const plan = notebookRestorePlan([
      { type: 'markdown', tags: [] },
      { type: 'code', tags: ['skip-grading'] },
      { type: 'code', tags: [] },
      { type: 'markdown', tags: [] },
      { type: 'code', tags: ['other'] }
    ]);
    expect(plan).toEqual({ remove: [4, 2], insertAt: 2 });
  });

  it('adds the code after the statement when there is no code cell', () => {
    expect(
      notebookRestorePlan([
        { type: 'markdown', tags: [] },
        { type: 'markdown', tags: [] },
        { type: 'raw', tags: [] }
      ])
    ).toEqual({ remove: [], insertAt: 2 });
    expect(notebookRestorePlan([])).toEqual({ remove: [], insertAt: 0 });
  });
});

describe('codeForCell', () => {
  it('leaves out the .py problem line and trailing newlines', () => {
    expect(
      codeForCell('# coderunner: problem_id=add-two\n\ndef add(a, b):\n    return a + b\n\n')
    ).toBe('def add(a, b):\n    return a + b');
    expect(codeForCell('print(1)\n')).toBe('print(1)');
  });
});

describe('codeForScript', () => {
  it('keeps the whole file when it has its problem line', () => {
    const code = '# coderunner: problem_id=add-two\nprint(1)\n';
    expect(codeForScript(code, 'add-two')).toBe(code);
  });

  it('adds the problem line to code from a notebook, and a final newline', () => {
    expect(codeForScript('print(1)', 'hello')).toBe('# coderunner: problem_id=hello\nprint(1)\n');
  });
});
