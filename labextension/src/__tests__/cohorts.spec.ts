import { classTrackTitle, cohortLine, cohortTracks, learnerCohorts } from '../cohorts';
import type { ICohort, IMe } from '../records';

function cohort(name: string, displayName: string, track: string | null = null): ICohort {
  return { name, display_name: displayName, track };
}

function me(cohorts: unknown): IMe {
  return {
    name: 'alice',
    cohorts: cohorts as ICohort[],
    limits: { rate_per_minute: 10, daily_quota: 300 },
    admin: false,
    grader: false,
    teaches: []
  };
}

const CLASS_7A = cohort('7a', 'Class 7A', 'ages-12-14');
const CLUB = cohort('club', 'Coding club', 'ages-15-18');

describe('learnerCohorts', () => {
  it('reads the cohorts of the reply, in order', () => {
    expect(learnerCohorts(me([CLASS_7A, CLUB]))).toEqual([CLASS_7A, CLUB]);
  });

  it('is empty without a reply or without cohorts', () => {
    expect(learnerCohorts(null)).toEqual([]);
    expect(learnerCohorts(me([]))).toEqual([]);
    expect(learnerCohorts(me(undefined))).toEqual([]);
    expect(learnerCohorts(me('7a'))).toEqual([]);
  });

  it('leaves out entries that are not cohorts', () => {
    expect(
      learnerCohorts(me([null, '7a', { display_name: 'No name' }, { name: '' }, CLUB]))
    ).toEqual([CLUB]);
  });

  it('falls back to the name for an empty display name, and to no track for an empty one', () => {
    expect(
      learnerCohorts(
        me([
          { name: '7b', display_name: '  ', track: '' },
          { name: '7c', track: 42 },
          { name: '7d', display_name: ' Class 7D ', track: null }
        ])
      )
    ).toEqual([cohort('7b', '7b'), cohort('7c', '7c'), cohort('7d', 'Class 7D')]);
  });
});

describe('cohortLine', () => {
  it("names the learner's cohort", () => {
    expect(cohortLine([CLASS_7A])).toBe('Class 7A');
  });

  it('names several cohorts in order, separated by a dot', () => {
    expect(cohortLine([CLASS_7A, CLUB])).toBe('Class 7A · Coding club');
  });

  it('names a display name once even when two cohorts share it', () => {
    expect(cohortLine([CLASS_7A, cohort('7a-2025', 'Class 7A'), CLUB])).toBe(
      'Class 7A · Coding club'
    );
  });

  it('is empty without cohorts', () => {
    expect(cohortLine([])).toBe('');
  });
});

describe('cohortTracks', () => {
  it("lists the cohorts' tracks once each, in order, leaving out cohorts without one", () => {
    expect(
      cohortTracks([cohort('x', 'X'), CLUB, CLASS_7A, cohort('7b', 'Class 7B', 'ages-15-18')])
    ).toEqual(['ages-15-18', 'ages-12-14']);
  });

  it('is empty without cohorts or tracks', () => {
    expect(cohortTracks([])).toEqual([]);
    expect(cohortTracks([cohort('x', 'X')])).toEqual([]);
  });
});

describe('classTrackTitle', () => {
  const cohorts = [
    CLASS_7A,
    CLUB,
    cohort('7b', 'Class 7B', 'ages-12-14'),
    cohort('7c', 'Class 7C', 'ages-12-14')
  ];

  it('says which cohort works on the track', () => {
    expect(classTrackTitle(cohorts, 'ages-15-18')).toBe('Coding club works on this track');
  });

  it('names several cohorts on the same track', () => {
    expect(classTrackTitle(cohorts, 'ages-12-14')).toBe(
      'Class 7A, Class 7B and Class 7C work on this track'
    );
    expect(classTrackTitle(cohorts.slice(2), 'ages-12-14')).toBe(
      'Class 7B and Class 7C work on this track'
    );
  });

  it('is empty for a track no cohort works on (the track gets no mark)', () => {
    expect(classTrackTitle(cohorts, 'ages-8-10')).toBe('');
    expect(classTrackTitle([], 'ages-12-14')).toBe('');
  });
});
