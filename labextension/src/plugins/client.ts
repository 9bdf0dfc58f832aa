import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { CodeRunnerClient } from '../api';
import { ICodeRunnerClient } from '../tokens';

/** Provides the one API client the other Code Runner plugins share. */
export const clientPlugin: JupyterFrontEndPlugin<ICodeRunnerClient> = {
  id: 'coderunner-labextension:client',
  description: 'Client for the Code Runner server extension.',
  autoStart: true,
  provides: ICodeRunnerClient,
  activate: (app: JupyterFrontEnd): ICodeRunnerClient =>
    new CodeRunnerClient(app.serviceManager.serverSettings)
};
