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

/** Toolbar icon for "Check": a tick inside a magnifying glass. */
export const checkRunIcon = new LabIcon({
  name: 'coderunner-labextension:check',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z"/>
    <path d="M8.9 12.6 6.6 10.3l1.1-1.1 1.2 1.2 3.4-3.4 1.1 1.1z"/>
  </g>
</svg>`
});

/** Side-bar icon of the result panel: a report with ticks. */
export const resultIcon = new LabIcon({
  name: 'coderunner-labextension:result',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M5 2h14a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm1 2v16h12V4z"/>
    <path d="m7.5 8.5 1.2-1.2.8.8 2-2 1.2 1.2-3.2 3.2zM13 8h4v1.6h-4zm-5.5 6.5 1.2-1.2.8.8 2-2 1.2 1.2-3.2 3.2zM13 14h4v1.6h-4z"/>
  </g>
</svg>`
});

/** Side-bar icon of the cheatsheets: an open book. */
export const cheatsheetIcon = new LabIcon({
  name: 'coderunner-labextension:cheatsheet',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M2 4h7a3 3 0 0 1 3 3 3 3 0 0 1 3-3h7v15h-7a2 2 0 0 0-2 2h-2a2 2 0 0 0-2-2H2zm2 2v11h5a4 4 0 0 1 2 .5V7a1 1 0 0 0-1-1zm16 0h-6a1 1 0 0 0-1 1v10.5a4 4 0 0 1 2-.5h5z"/>
  </g>
</svg>`
});
