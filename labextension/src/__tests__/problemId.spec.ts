import {
  problemIdFromMetadata,
  problemIdFromPath,
  problemIdFromSource,
  problemIdOfScript
} from '../problemId';

describe('problemIdFromSource', () => {
  it('reads the id from the marker on the first line', () => {
    expect(problemIdFromSource('# coderunner: problem_id=add-two\ndef add(a, b):\n')).toBe(
      'add-two'
    );
  });

  it('accepts spacing variants, Windows line ends and a file of one line', () => {
    expect(problemIdFromSource('#coderunner:problem_id=sum_2')).toBe('sum_2');
    expect(problemIdFromSource('#   coderunner:   problem_id=x1  \r\nprint(1)')).toBe('x1');
  });

  it('ignores a marker below the first line', () => {
    expect(problemIdFromSource('import math\n# coderunner: problem_id=add-two\n')).toBeNull();
  });

  it('refuses ids the platform never issues', () => {
    for (const id of ['Add-Two', '-add', 'a'.repeat(65), 'add/two', '../etc']) {
      expect(problemIdFromSource(`# coderunner: problem_id=${id}\n`)).toBeNull();
    }
    expect(problemIdFromSource(`# coderunner: problem_id=${'a'.repeat(64)}\n`)).toBe(
      'a'.repeat(64)
    );
  });

  it('is null for a file without a marker', () => {
    expect(problemIdFromSource('')).toBeNull();
    expect(problemIdFromSource('print("hello")\n')).toBeNull();
    expect(problemIdFromSource('# coderunner: problem_id=\n')).toBeNull();
    expect(problemIdFromSource('# coderunner: problem_id=a b\n')).toBeNull();
  });
});

describe('problemIdFromMetadata', () => {
  it('reads coderunner.problem_id from notebook metadata', () => {
    expect(problemIdFromMetadata({ problem_id: 'add-two' })).toBe('add-two');
  });

  it('is null for missing or malformed metadata', () => {
    for (const metadata of [
      undefined,
      null,
      'add-two',
      {},
      { problem_id: 7 },
      { problem_id: 'A B' }
    ]) {
      expect(problemIdFromMetadata(metadata)).toBeNull();
    }
  });
});

describe('problemIdOfScript', () => {
  it('knows a file under problems/ by its name when the marker line is gone', () => {
    expect(problemIdOfScript('def add(a, b):\n', 'problems/add-two.py')).toBe('add-two');
    expect(problemIdFromPath('work/problems/robot-greeting.py')).toBe('robot-greeting');
  });

  it('prefers the marker line, and knows nothing of other files', () => {
    expect(problemIdOfScript('# coderunner: problem_id=fizz\n', 'problems/add-two.py')).toBe(
      'fizz'
    );
    expect(problemIdOfScript('print(1)\n', 'notes/add-two.py')).toBeNull();
    expect(problemIdFromPath('problems/Bad Name.py')).toBeNull();
  });
});
