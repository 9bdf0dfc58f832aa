import type { ISpaceUsage } from '../records';
import { describeSpace, formatBytes } from '../space';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

function space(
  used: number,
  quota: number | null,
  free: number,
  upload: number | null = null
): ISpaceUsage {
  return { used_bytes: used, quota_bytes: quota, free_bytes: free, max_upload_bytes: upload };
}

describe('formatBytes', () => {
  it('counts bytes below one kilobyte', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1023)).toBe('1023 bytes');
  });

  it('uses units of 1024, with one decimal below 10 and none when it is 0', () => {
    expect(formatBytes(KB)).toBe('1 KB');
    expect(formatBytes(1.5 * KB)).toBe('1.5 KB');
    expect(formatBytes(4.5 * MB)).toBe('4.5 MB');
    expect(formatBytes(12 * MB)).toBe('12 MB');
    expect(formatBytes(38.4 * MB)).toBe('38 MB');
    expect(formatBytes(200 * MB)).toBe('200 MB');
    expect(formatBytes(3.2 * GB)).toBe('3.2 GB');
    expect(formatBytes(2 * 1024 * GB)).toBe('2 TB');
  });

  it('rounds across the 10 and 1024 boundaries without odd numbers', () => {
    expect(formatBytes(9.96 * MB)).toBe('10 MB');
    expect(formatBytes(1023.7 * KB)).toBe('1 MB');
    expect(formatBytes(1023.4 * KB)).toBe('1023 KB');
  });

  it('reads negative and non-finite sizes as 0', () => {
    expect(formatBytes(-5)).toBe('0 bytes');
    expect(formatBytes(NaN)).toBe('0 bytes');
    expect(formatBytes(Infinity)).toBe('0 bytes');
  });
});

describe('describeSpace', () => {
  it('says how much of the quota is used when there is room', () => {
    expect(describeSpace(space(12 * MB, 200 * MB, 188 * MB))).toEqual({
      text: 'Your space: 12 MB of 200 MB used',
      hint: '',
      level: 'ok',
      title: 'Used: 12 MB\nSpace in all: 200 MB\nFree: 188 MB'
    });
  });

  it('warns when less than a tenth of the quota is left', () => {
    const described = describeSpace(space(181 * MB, 200 * MB, 19 * MB));
    expect(described).toMatchObject({
      text: 'Your space is nearly full: 19 MB left of 200 MB',
      hint: "Delete files you don't need.",
      level: 'low'
    });
    expect(describeSpace(space(180 * MB, 200 * MB, 20 * MB))?.level).toBe('ok');
  });

  it('warns under 5 MB left even when that is more than a tenth of the quota', () => {
    expect(describeSpace(space(6 * MB, 10 * MB, 4 * MB))).toMatchObject({
      text: 'Your space is nearly full: 4 MB left of 10 MB',
      level: 'low'
    });
  });

  it('says the space is full when nothing is left, or less than nothing', () => {
    for (const free of [0, -3 * MB]) {
      expect(describeSpace(space(200 * MB, 200 * MB, free))).toMatchObject({
        text: 'Your space is full. Delete some files to save new work.',
        hint: '',
        level: 'full'
      });
    }
  });

  it('shows only the free space of the disk without a quota', () => {
    expect(describeSpace(space(40 * MB, null, 3.2 * GB))).toEqual({
      text: 'Space left: 3.2 GB',
      hint: '',
      level: 'ok',
      title: 'Used: 40 MB\nFree: 3.2 GB'
    });
    expect(describeSpace(space(40 * MB, null, 4 * MB))).toMatchObject({
      text: 'Space left: 4 MB',
      hint: "Delete files you don't need.",
      level: 'low'
    });
    expect(describeSpace(space(40 * MB, null, 0))?.level).toBe('full');
  });

  it('names the largest file allowed in the tooltip', () => {
    expect(describeSpace(space(12 * MB, 200 * MB, 188 * MB, 10 * MB))?.title).toBe(
      'Used: 12 MB\nSpace in all: 200 MB\nFree: 188 MB\nLargest file you can save: 10 MB'
    );
  });

  it('is null for a reply without usable numbers, so the line is hidden', () => {
    expect(describeSpace(space(NaN, 200 * MB, 188 * MB))).toBeNull();
    expect(describeSpace(space(-1, 200 * MB, 188 * MB))).toBeNull();
    expect(describeSpace({ used_bytes: 1 } as unknown as ISpaceUsage)).toBeNull();
    expect(describeSpace(null as unknown as ISpaceUsage)).toBeNull();
  });
});
