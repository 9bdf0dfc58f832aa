/** The Cheatsheets panel's list, grouped by track. No JupyterLab imports. */
import type { ICheatsheetSummary, ITrack } from './records';

export interface ICheatsheetGroup {
  track: string;
  /** The track's title; its id when the track is not known. */
  title: string;
  sheets: ICheatsheetSummary[];
}

/**
 * The cheatsheets by track: the tracks in their display order, then any other
 * track in the order met; each group's sheets in the order the server sent them.
 * Empty groups are left out.
 */
export function groupCheatsheets(
  sheets: ICheatsheetSummary[],
  tracks: ITrack[]
): ICheatsheetGroup[] {
  const groups = new Map<string, ICheatsheetGroup>(
    tracks.map(t => [t.id, { track: t.id, title: t.title, sheets: [] }])
  );
  for (const sheet of sheets) {
    let group = groups.get(sheet.track);
    if (!group) {
      group = { track: sheet.track, title: sheet.track || 'Other', sheets: [] };
      groups.set(sheet.track, group);
    }
    group.sheets.push(sheet);
  }
  return [...groups.values()].filter(g => g.sheets.length > 0);
}
