import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';

import { CommandIDs } from '../commandIds';
import { isFirstVisit } from '../firstVisit';
import { ICodeRunnerClient } from '../tokens';
import { ProblemsPanel } from '../widgets/problemsPanel';

/** The "Problems" side panel in the left area. */
export const problemsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'coderunner-labextension:problems',
  description: 'Side panel listing Code Runner problems by track and level.',
  autoStart: true,
  requires: [ICodeRunnerClient, IDocumentManager],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: ICodeRunnerClient,
    docManager: IDocumentManager,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const panel = new ProblemsPanel({
      client,
      openPath: path => {
        docManager.openOrReveal(path);
      }
    });
    app.shell.add(panel, 'left', { rank: 450 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.showProblems, {
      label: 'Show Code Runner Problems',
      caption: 'Open the Problems side panel',
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    palette?.addItem({ command: CommandIDs.showProblems, category: 'Code Runner' });

    void app.restored.then(() => {
      // A learner's first visit opens on the Problems panel (with its "Start here"),
      // not on the file browser; later visits keep the layout they left.
      if (isFirstVisit(window.localStorage)) {
        app.shell.activateById(panel.id);
      }
      return panel.refresh();
    });
  }
};
