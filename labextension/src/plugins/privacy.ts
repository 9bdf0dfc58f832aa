import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { runPrivacyFlow } from '../privacy';
import { ICodeRunnerClient } from '../tokens';
import { showPrivacyNotice } from '../widgets/privacyNotice';

/**
 * The privacy notice on first sign-in: once Lab is restored, asks the server whether
 * this learner has accepted the notice in force and, if not, shows it until they
 * press "I understand". If the grader cannot be reached, Lab carries on without it
 * (the notice comes back next time Lab loads).
 */
export const privacyPlugin: JupyterFrontEndPlugin<void> = {
  id: 'coderunner-labextension:privacy',
  description: 'Shows the privacy notice until the learner has accepted it.',
  autoStart: true,
  requires: [ICodeRunnerClient],
  optional: [IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    client: ICodeRunnerClient,
    rendermime: IRenderMimeRegistry | null
  ): void => {
    void app.restored.then(() =>
      runPrivacyFlow({
        getPrivacy: () => client.getPrivacy(),
        acceptPrivacy: version => client.acceptPrivacy(version),
        show: notice => showPrivacyNotice(notice, rendermime),
        showError: async message => {
          await showDialog({
            title: 'Not saved this time',
            body: message,
            buttons: [Dialog.okButton({ label: 'OK' })]
          });
        },
        log: message => console.warn(message)
      })
    );
  }
};
