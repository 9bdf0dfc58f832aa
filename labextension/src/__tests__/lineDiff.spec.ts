import { diffTip, lineDiff, showTrailingSpaces, splitLines } from '../lineDiff';

const marks = (expected: string, got: string) =>
  lineDiff(expected, got).map(
    l => `${l.kind === 'same' ? '=' : l.kind === 'missing' ? '-' : '+'}${l.text}`
  );

describe('splitLines', () => {
  it('reads a final newline as the end of the last line', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['']);
    expect(splitLines('a\r\nb\r\n')).toEqual(['a', 'b']);
  });
});

describe('lineDiff', () => {
  it('marks every line the same when the outputs match', () => {
    expect(marks('Hi\nBye\n', 'Hi\nBye\n')).toEqual(['=Hi', '=Bye']);
  });

  it('marks a changed line as missing then extra', () => {
    expect(marks('Hello, Ada!\nBye\n', 'Hello Ada\nBye\n')).toEqual([
      '-Hello, Ada!',
      '+Hello Ada',
      '=Bye'
    ]);
  });

  it('marks lines the program did not print as missing', () => {
    expect(marks('1\n2\n3\n', '1\n3\n')).toEqual(['=1', '-2', '=3']);
    expect(marks('1\n2\n', '')).toEqual(['-1', '-2']);
  });

  it('marks lines the program printed too many as extra', () => {
    expect(marks('1\n3\n', '1\n2\n3\n4\n')).toEqual(['=1', '+2', '=3', '+4']);
    expect(marks('', 'debug\n')).toEqual(['+debug']);
  });

  it('keeps the longest run of equal lines', () => {
    expect(marks('a\nb\nc\nd\n', 'x\nb\nc\ny\n')).toEqual(['-a', '+x', '=b', '=c', '-d', '+y']);
  });

  it('pairs lines by position for very long outputs', () => {
    const long = Array.from({ length: 600 }, (_, i) => String(i));
    const got = [...long];
    got[5] = 'five';
    const lines = lineDiff(long.join('\n'), got.join('\n'));
    expect(lines.filter(l => l.kind !== 'same')).toEqual([
      { kind: 'missing', text: '5' },
      { kind: 'extra', text: 'five' }
    ]);
  });
});

describe('diffTip', () => {
  it('points at differences that are easy to miss', () => {
    expect(diffTip('Hi\n', 'Hi \n')).toMatch(/spaces at the end/);
    expect(diffTip('a\nb\n', 'a\n\nb\n')).toMatch(/empty lines/);
    expect(diffTip('Hello\n', 'hello\n')).toMatch(/capital/);
  });

  it('says nothing when the outputs match or differ plainly', () => {
    expect(diffTip('a\n', 'a')).toBe('');
    expect(diffTip('1\n', '2\n')).toBe('');
  });
});

describe('showTrailingSpaces', () => {
  it('shows the spaces at the end of a line', () => {
    expect(showTrailingSpaces('Hi  ')).toBe('Hi··');
    expect(showTrailingSpaces('a b')).toBe('a b');
  });
});
