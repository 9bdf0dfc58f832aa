import { SUBMISSION_STATUSES } from '../apiValues';
import { isFinished } from '../records';

describe('isFinished', () => {
  it('is true exactly for graded and failed submissions', () => {
    expect(SUBMISSION_STATUSES.filter(isFinished)).toEqual(['graded', 'failed']);
  });
});
