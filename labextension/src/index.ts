import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { problemsPlugin } from './plugins/problems';
import { submitPlugin } from './plugins/submit';

export { CodeRunnerClient } from './api';
export { ICodeRunnerClient } from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [clientPlugin, problemsPlugin, submitPlugin];

export default plugins;
