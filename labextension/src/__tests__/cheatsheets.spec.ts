import { groupCheatsheets } from '../cheatsheets';
import type { ICheatsheetSummary, ITrack } from '../records';

const sheet = (id: string, track: string): ICheatsheetSummary => ({
  id,
  title: id,
  track,
  topic: 'topic'
});
const track = (id: string, title: string): ITrack => ({
  id,
  title,
  ages: '',
  description: '',
  levels: []
});

describe('groupCheatsheets', () => {
  it("groups by track in the tracks' order, sheets in the server's order", () => {
    const groups = groupCheatsheets(
      [sheet('b-loops', 'b'), sheet('a-print', 'a'), sheet('b-lists', 'b'), sheet('x-1', 'x')],
      [track('a', 'Ages 8-11'), track('b', 'Ages 12-14'), track('c', 'Empty')]
    );
    expect(groups.map(g => [g.title, g.sheets.map(s => s.id)])).toEqual([
      ['Ages 8-11', ['a-print']],
      ['Ages 12-14', ['b-loops', 'b-lists']],
      ['x', ['x-1']]
    ]);
  });

  it('works without tracks', () => {
    expect(groupCheatsheets([sheet('s', 't')], []).map(g => g.title)).toEqual(['t']);
    expect(groupCheatsheets([], [])).toEqual([]);
  });
});
