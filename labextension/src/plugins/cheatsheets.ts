import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { CommandIDs } from '../commandIds';
import { ICodeRunnerClient } from '../tokens';
import { CheatsheetsPanel } from '../widgets/cheatsheetsPanel';

/** The "Cheatsheets" side panel in the left area, and the command that opens one. */
export const cheatsheetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'coderunner-labextension:cheatsheets',
  description: 'Side panel with the cheatsheets of every track.',
  autoStart: true,
  requires: [ICodeRunnerClient],
  optional: [IRenderMimeRegistry, ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: ICodeRunnerClient,
    rendermime: IRenderMimeRegistry | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const panel = new CheatsheetsPanel({ client, rendermime });
    app.shell.add(panel, 'left', { rank: 460 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.showCheatsheets, {
      label: 'Show Code Runner Cheatsheets',
      caption: 'Open the Cheatsheets side panel',
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    app.commands.addCommand(CommandIDs.openCheatsheet, {
      label: args => (args.id ? 'Open Cheatsheet' : 'Show Code Runner Cheatsheets'),
      caption: 'Open a cheatsheet in the Cheatsheets side panel',
      execute: args => {
        app.shell.activateById(panel.id);
        if (typeof args.id === 'string' && args.id) {
          return panel.open(args.id);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.showCheatsheets, category: 'Code Runner' });

    void app.restored.then(() => panel.refresh());
  }
};
