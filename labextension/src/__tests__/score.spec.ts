import { formatPoints, formatScore, pointsWord } from '../score';

describe('formatScore', () => {
  it('shows whole points without decimals', () => {
    expect(formatScore(10, 10)).toBe('10 / 10');
    expect(formatScore(0, 5)).toBe('0 / 5');
  });

  it('shows one decimal at most', () => {
    expect(formatScore(1.6666666, 10)).toBe('1.7 / 10');
    expect(formatScore(3.3333, 6.6667)).toBe('3.3 / 6.7');
    expect(formatScore(2.04, 10)).toBe('2 / 10');
    expect(formatScore(9.96, 10)).toBe('10 / 10');
  });

  it('shows "?" for a missing part', () => {
    expect(formatScore(5, null)).toBe('5 / ?');
    expect(formatScore(null, undefined)).toBe('? / ?');
    expect(formatPoints(NaN)).toBe('?');
  });

  it('never shows minus zero', () => {
    expect(formatPoints(-0.01)).toBe('0');
  });
});

describe('pointsWord', () => {
  it('says point or points', () => {
    expect(pointsWord(1)).toBe('1 point');
    expect(pointsWord(0)).toBe('0 points');
    expect(pointsWord(85)).toBe('85 points');
    expect(pointsWord(12.25)).toBe('12.3 points');
  });
});
