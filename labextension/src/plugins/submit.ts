import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import { FileEditor, IEditorTracker } from '@jupyterlab/fileeditor';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

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
import { submitIcon } from '../icons';
import { problemIdFromMetadata, problemIdFromSource } from '../problemId';
import { IAssessment, isFinished } from '../records';
import { ICodeRunnerClient } from '../tokens';
import { SubmissionView } from '../widgets/submissionView';

/** The document to submit: the current notebook or file editor, with its problem id. */
interface ISubmissionTarget {
  context: DocumentRegistry.Context;
  problemId: string | null;
}

/** The class of the dialog that asks whether a submission is for an assessment. */
const ASSESSMENT_CHOICE_CLASS = 'jp-CodeRunner-assessmentChoice';

/** Marks the choice dialog's button that records the submission for the assessment. */
const FOR_ASSESSMENT = 'coderunner:for-assessment';
/** Marks the choice dialog's practice button. */
const PRACTISE = 'coderunner:practise';

/** What the learner chose to submit as: practice (`assessment` null) or for an assessment. */
interface ISubmissionChoice {
  assessment: IAssessment | null;
}

/**
 * "Submit for grading": saves the current notebook or `.py` file, sends it to the
 * grader and shows the result live. Placed in the notebook and file-editor toolbars
 * through this plugin's settings schema (`jupyter.lab.toolbars`) and in the palette.
 * When the problem is part of an open assessment with attempts left, it first asks
 * whether this is practice or an answer for the assessment.
 */
export const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'coderunner-labextension:submit',
  description: 'Submit the current notebook or Python file for grading.',
  autoStart: true,
  requires: [ICodeRunnerClient],
  optional: [INotebookTracker, IEditorTracker, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: ICodeRunnerClient,
    notebooks: INotebookTracker | null,
    editors: IEditorTracker | null,
    palette: ICommandPalette | null
  ): void => {
    /** Paths with a submission in flight, so a double click sends one. */
    const inFlight = new Set<string>();

    const currentTarget = (): ISubmissionTarget | null => {
      const widget = app.shell.currentWidget;
      if (widget && notebooks?.has(widget)) {
        const panel = widget as NotebookPanel;
        return {
          context: panel.context,
          problemId: problemIdFromMetadata(panel.context.model.getMetadata('coderunner'))
        };
      }
      if (widget && editors?.has(widget)) {
        const doc = widget as IDocumentWidget<FileEditor>;
        return {
          context: doc.context,
          problemId: problemIdFromSource(doc.content.model.sharedModel.getSource())
        };
      }
      return null;
    };

    app.commands.addCommand(CommandIDs.submit, {
      label: 'Submit for Grading',
      caption: 'Save this file and submit it for grading',
      icon: submitIcon,
      isEnabled: () => currentTarget() !== null,
      execute: async () => {
        const target = currentTarget();
        if (!target) {
          return;
        }
        if (!target.problemId) {
          await showErrorMessage(
            'Not a Code Runner problem',
            `${target.context.localPath} does not say which problem it solves. Open the ` +
              'problem from the Problems panel and write your solution there: a notebook ' +
              'carries the problem id in its metadata, a .py file on its first line ' +
              '("# coderunner: problem_id=…").'
          );
          return;
        }
        const path = target.context.localPath;
        if (inFlight.has(path)) {
          return;
        }
        inFlight.add(path);
        try {
          const choice = await chooseAssessment(client, target.problemId);
          if (choice) {
            await submitAndShow(client, target.context, target.problemId, choice.assessment);
          }
        } finally {
          inFlight.delete(path);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.submit, category: 'Code Runner' });

    // Toolbar buttons and the palette follow the current document.
    app.shell.currentChanged?.connect(() => app.commands.notifyCommandChanged(CommandIDs.submit));
  }
};

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

/** Save, submit, then follow the submission in a dialog until it is graded. */
async function submitAndShow(
  client: ICodeRunnerClient,
  context: DocumentRegistry.Context,
  problemId: string,
  assessment: IAssessment | null
): Promise<void> {
  const view = new SubmissionView(problemId, assessment);
  const dialog = new Dialog({
    title: 'Submit for grading',
    body: view,
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
  const stop = new AbortController();
  const closed = dialog.launch().then(() => stop.abort());

  try {
    await context.save();
    view.showStatus('Submitting…');
    const ticket = await client.submit(problemId, context.localPath, assessment?.id);
    view.setRecordedFor(ticket.assessment_id);
    if (!isFinished(ticket.status)) {
      view.showPending(ticket.status);
    }
    const result = await client.waitForResult(ticket.id, {
      signal: stop.signal,
      onUpdate: submission => view.showSubmission(submission)
    });
    view.showSubmission(result);
  } catch (error) {
    if (!stop.signal.aborted) {
      view.showError(error);
    }
  }
  await closed;
}
