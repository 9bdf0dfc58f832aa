import { LabIcon } from '@jupyterlab/ui-components';

/** Side-bar icon: a play triangle inside a checked box. */
export const codeRunnerIcon = new LabIcon({
  name: 'coderunner-labextension:icon',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 3h16a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm1 2v14h14V5z"/>
    <path d="M9 7.5v9l7-4.5z"/>
  </g>
</svg>`
});

/** Toolbar icon for "Submit for grading": an upward arrow into a tray. */
export const submitIcon = new LabIcon({
  name: 'coderunner-labextension:submit',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M11 16V7.8l-3.3 3.3-1.4-1.4L12 4l5.7 5.7-1.4 1.4L13 7.8V16z"/>
    <path d="M4 14h2v4h12v-4h2v6H4z"/>
  </g>
</svg>`
});
