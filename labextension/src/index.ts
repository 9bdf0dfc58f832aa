import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { cheatsheetsPlugin } from './plugins/cheatsheets';
import { clientPlugin } from './plugins/client';
import { privacyPlugin } from './plugins/privacy';
import { problemsPlugin } from './plugins/problems';
import { submitPlugin } from './plugins/submit';

export { CommandIDs } from './commandIds';
export { ICodeRunnerClient } from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  clientPlugin,
  privacyPlugin,
  problemsPlugin,
  submitPlugin,
  cheatsheetsPlugin
];

export default plugins;
