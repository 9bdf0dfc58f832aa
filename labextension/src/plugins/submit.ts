import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import { FileEditor, IEditorTracker } from '@jupyterlab/fileeditor';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { CommandToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import {
  assessmentFor,
  choiceMessage,
  choiceTitle,
  clockOffset,
  PRACTISE_LABEL,
  readAssessments,
  submitForLabel
} from '../assessments';
import { CommandIDs } from '../commandIds';
import { checkRunIcon, submitIcon } from '../icons';
import { problemIdFromMetadata, problemIdOfScript } from '../problemId';
import { IAssessment, ProblemFormat } from '../records';
import { codeForCell, codeForScript, notebookRestorePlan } from '../restore';
import { ICodeRunnerClient } from '../tokens';
import { IResultTarget, ResultPanel } from '../widgets/resultPanel';

/** A notebook or `.py` file open in the main area, with the problem id it carries. */
interface IDocTarget {
  widget: Widget;
  context: DocumentRegistry.Context;
  problemId: string | null;
  format: ProblemFormat;
}

/** The class of the dialog that asks whether a submission is for an assessment. */
const ASSESSMENT_CHOICE_CLASS = 'jp-CodeRunner-assessmentChoice';

/** Marks the choice dialog's button that records the submission for the assessment. */
const FOR_ASSESSMENT = 'coderunner:for-assessment';
/** Marks the choice dialog's practice button. */
const PRACTISE = 'coderunner:practise';

/** Where the keyboard shortcuts work: in a notebook and in the file editor. */
const SHORTCUT_SELECTORS = ['.jp-Notebook', '.jp-FileEditor'];

/** What the learner chose to submit as: practice (`assessment` null) or for an assessment. */
interface ISubmissionChoice {
  assessment: IAssessment | null;
}

const NOT_A_PROBLEM =
  'This file does not say which problem it is for. Open the problem from the Problems ' +
  'panel and write your code there.';

/**
 * The learner's tools in a problem's notebook or `.py` file: "Submit" (grading),
 * "Check" (the public tests as practice, nothing recorded), hints, "Run with input"
 * and earlier tries, all shown in the result side panel (right area), which follows
 * the problem of the current file and stays open while the learner edits. Submit is in
 * the toolbars through this plugin's settings schema (`jupyter.lab.toolbars`); Check is
 * added to them here. Works in JupyterLab and in Notebook 7 (no Lab-only token).
 * When the problem is part of an open assessment with attempts left, Submit first asks
 * whether this is practice or an answer for the assessment.
 */
export const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'coderunner-labextension:submit',
  description: 'Submit or check the current notebook or Python file; the result side panel.',
  autoStart: true,
  requires: [ICodeRunnerClient],
  optional: [
    INotebookTracker,
    IEditorTracker,
    ICommandPalette,
    IRenderMimeRegistry,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    client: ICodeRunnerClient,
    notebooks: INotebookTracker | null,
    editors: IEditorTracker | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null,
    restorer: ILayoutRestorer | null
  ): void => {
    /** Paths with a submission in flight, so a double click sends one. */
    const inFlight = new Set<string>();
    /** The last notebook or file editor that was current (the side panel's buttons use it). */
    let lastDoc: Widget | null = null;

    const docTarget = (widget: Widget | null): IDocTarget | null => {
      if (!widget || widget.isDisposed) {
        return null;
      }
      if (notebooks?.has(widget)) {
        const panel = widget as NotebookPanel;
        return {
          widget,
          context: panel.context,
          problemId: panel.context.isReady
            ? problemIdFromMetadata(panel.context.model.getMetadata('coderunner'))
            : null,
          format: 'notebook'
        };
      }
      if (editors?.has(widget)) {
        const doc = widget as IDocumentWidget<FileEditor>;
        return {
          widget,
          context: doc.context,
          problemId: problemIdOfScript(doc.content.model.sharedModel.getSource(), doc.context.path),
          format: 'script'
        };
      }
      return null;
    };

    /** The current document, or the last one when the focus is elsewhere (a side panel). */
    const currentTarget = (): IDocTarget | null =>
      docTarget(app.shell.currentWidget) ?? docTarget(lastDoc);

    const panel = new ResultPanel({
      client,
      rendermime,
      submit: target => void submitTarget(target),
      openCheatsheet: id => void app.commands.execute(CommandIDs.openCheatsheet, { id }),
      confirm: async (title, body, okLabel) => {
        const result = await showDialog({
          title,
          body,
          buttons: [
            Dialog.cancelButton({ label: 'Keep my code' }),
            Dialog.warnButton({ label: okLabel })
          ]
        });
        return result.button.accept;
      }
    });
    app.shell.add(panel, 'right', { rank: 150 });
    restorer?.add(panel, panel.id);

    const resultTarget = (target: IDocTarget & { problemId: string }): IResultTarget => ({
      problemId: target.problemId,
      path: target.context.localPath,
      format: target.format,
      save: () => target.context.save(),
      restore: code => Promise.resolve().then(() => restoreCode(target, code))
    });

    /** The target with its problem id, or null after telling the learner why not. */
    const problemTarget = async (): Promise<(IDocTarget & { problemId: string }) | null> => {
      const target = currentTarget();
      if (!target) {
        return null;
      }
      if (!target.problemId) {
        await showErrorMessage('Not a Code Runner problem', NOT_A_PROBLEM);
        return null;
      }
      return target as IDocTarget & { problemId: string };
    };

    /** The side panel follows the problem of the current file. */
    const follow = () => {
      const widget = app.shell.currentWidget;
      const target = docTarget(widget);
      if (!target) {
        return;
      }
      lastDoc = target.widget;
      if (target.problemId) {
        panel.showProblem(resultTarget(target as IDocTarget & { problemId: string }));
      } else if (!target.context.isReady) {
        void target.context.ready.then(() => {
          if (app.shell.currentWidget === widget) {
            follow();
          }
        });
      }
      for (const id of [
        CommandIDs.submit,
        CommandIDs.check,
        CommandIDs.hint,
        CommandIDs.runWithInput
      ]) {
        app.commands.notifyCommandChanged(id);
      }
    };
    app.shell.currentChanged?.connect(follow);
    notebooks?.currentChanged.connect(follow);
    editors?.currentChanged.connect(follow);
    void app.restored.then(follow);

    /** Asks practice or assessment when it matters, then submits and follows the result. */
    const submitTarget = async (target: IResultTarget): Promise<void> => {
      if (inFlight.has(target.path)) {
        return;
      }
      inFlight.add(target.path);
      try {
        const choice = await chooseAssessment(client, target.problemId);
        if (choice) {
          app.shell.activateById(panel.id);
          await panel.submit(target, choice.assessment);
        }
      } finally {
        inFlight.delete(target.path);
      }
    };

    app.commands.addCommand(CommandIDs.submit, {
      label: 'Submit for Grading',
      caption: 'Save this file and send it to be graded',
      icon: submitIcon,
      isEnabled: () => currentTarget() !== null,
      execute: async () => {
        const target = await problemTarget();
        if (target) {
          await submitTarget(resultTarget(target));
        }
      }
    });

    app.commands.addCommand(CommandIDs.check, {
      label: 'Check',
      caption: 'Check your code with the practice tests (not sent to your teacher)',
      icon: checkRunIcon,
      isEnabled: () => currentTarget() !== null,
      execute: async () => {
        const target = await problemTarget();
        if (target) {
          app.shell.activateById(panel.id);
          await panel.check(resultTarget(target));
        }
      }
    });

    app.commands.addCommand(CommandIDs.hint, {
      label: 'Show a Hint',
      caption: 'Show the next hint for this problem',
      isEnabled: () => currentTarget() !== null,
      execute: async () => {
        const target = await problemTarget();
        if (target) {
          panel.showProblem(resultTarget(target));
          app.shell.activateById(panel.id);
          await panel.revealHint();
        }
      }
    });

    app.commands.addCommand(CommandIDs.runWithInput, {
      label: 'Run with Input…',
      caption: 'Run your program with the input you type',
      isEnabled: () => currentTarget()?.format === 'script',
      execute: async () => {
        const target = await problemTarget();
        if (!target) {
          return;
        }
        panel.showProblem(resultTarget(target));
        app.shell.activateById(panel.id);
        if (!panel.focusRunInput()) {
          await showErrorMessage(
            'Run with input',
            'Run with input is for problems where your program reads what you type, in a .py file.'
          );
        }
      }
    });

    app.commands.addCommand(CommandIDs.showResult, {
      label: 'Show Code Runner Result',
      caption: 'Open the result side panel',
      execute: () => {
        follow();
        app.shell.activateById(panel.id);
      }
    });

    for (const selector of SHORTCUT_SELECTORS) {
      app.commands.addKeyBinding({
        command: CommandIDs.submit,
        keys: ['Accel Shift Enter'],
        selector
      });
      app.commands.addKeyBinding({
        command: CommandIDs.check,
        keys: ['Accel Alt Enter'],
        selector
      });
    }

    for (const command of [
      CommandIDs.check,
      CommandIDs.submit,
      CommandIDs.hint,
      CommandIDs.runWithInput,
      CommandIDs.showResult
    ]) {
      palette?.addItem({ command, category: 'Code Runner' });
    }

    // "Check" next to "Submit" in the notebook and file-editor toolbars.
    for (const factory of ['Notebook', 'Editor']) {
      app.docRegistry.addWidgetExtension(factory, {
        createNew: (widget: IDocumentWidget) => {
          const button = new CommandToolbarButton({
            commands: app.commands,
            id: CommandIDs.check,
            label: 'Check'
          });
          button.node.dataset.cr = 'check-button-toolbar';
          if (!widget.toolbar.insertBefore('coderunner-submit', 'coderunner-check', button)) {
            widget.toolbar.addItem('coderunner-check', button);
          }
        }
      });
    }
  }
};

/**
 * Puts an earlier submission's code back into the open file: the whole `.py` file,
 * or a notebook's graded code cells (its statement and `skip-grading` cells stay).
 */
function restoreCode(target: IDocTarget & { problemId: string }, code: string): void {
  if (target.widget.isDisposed) {
    throw new Error('The file is closed. Open it again, then press the button.');
  }
  if (target.format === 'script') {
    const doc = target.widget as IDocumentWidget<FileEditor>;
    doc.content.model.sharedModel.setSource(codeForScript(code, target.problemId));
    return;
  }
  const notebook = (target.widget as NotebookPanel).content.model?.sharedModel;
  if (!notebook) {
    throw new Error('The notebook is still loading. Try again in a moment.');
  }
  const plan = notebookRestorePlan(
    notebook.cells.map(cell => {
      const tags = cell.getMetadata('tags');
      return {
        type: cell.cell_type,
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : []
      };
    })
  );
  notebook.transact(() => {
    for (const index of plan.remove) {
      notebook.deleteCell(index);
    }
    notebook.insertCell(plan.insertAt, {
      cell_type: 'code',
      source: codeForCell(code),
      metadata: {}
    });
  });
}

/**
 * Asks, when the problem is part of an open assessment with attempts left (the one
 * closing first if several), whether to submit for it or just practise. Null when the
 * learner cancelled. Without such an assessment, or when the assessments cannot be
 * listed, the answer is practice without asking.
 */
async function chooseAssessment(
  client: ICodeRunnerClient,
  problemId: string
): Promise<ISubmissionChoice | null> {
  let assessments: IAssessment[];
  let offset: number;
  try {
    assessments = readAssessments(await client.listAssessments());
    offset = clockOffset(assessments, Date.now());
  } catch (error) {
    console.warn('Code Runner: could not list assessments; submitting as practice.', error);
    return { assessment: null };
  }
  const now = Date.now() + offset;
  const assessment = assessmentFor(problemId, assessments, now);
  if (!assessment) {
    return { assessment: null };
  }
  const dialog = new Dialog({
    title: choiceTitle(assessment),
    body: choiceMessage(assessment, problemId, now),
    buttons: [
      Dialog.cancelButton(),
      // Not "accept": Escape and the close button resolve as a plain cancel instead.
      Dialog.cancelButton({ label: PRACTISE_LABEL, actions: [PRACTISE] }),
      Dialog.okButton({ label: submitForLabel(assessment), actions: [FOR_ASSESSMENT] })
    ]
  });
  dialog.addClass(ASSESSMENT_CHOICE_CLASS);
  const { button } = await dialog.launch();
  if (button.actions.includes(FOR_ASSESSMENT)) {
    return { assessment };
  }
  return button.actions.includes(PRACTISE) ? { assessment: null } : null;
}
