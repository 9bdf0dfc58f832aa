import {
  checkIcon,
  refreshIcon,
  SidePanel,
  Toolbar,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';

import {
  CodeRunnerClient,
  describeError,
  IProblemProgress,
  IProblemSummary,
  IProgress,
  ProblemFormat
} from '../api';
import { codeRunnerIcon } from '../icons';

export interface IProblemsPanelOptions {
  client: CodeRunnerClient;
  /** Opens the learner's file (path relative to the server root) in the main area. */
  openPath: (path: string) => void;
}

/**
 * Side panel: problems grouped by track and level, with points and a tick for solved
 * ones. "Open" asks the server for the learner's file (created from the starter if
 * missing) and opens it.
 */
export class ProblemsPanel extends SidePanel {
  constructor(options: IProblemsPanelOptions) {
    super({ header: new Panel(), toolbar: new Toolbar(), content: new Panel() });
    this._client = options.client;
    this._openPath = options.openPath;
    this.id = 'coderunner-problems';
    this.title.icon = codeRunnerIcon;
    this.title.caption = 'Code Runner problems';
    this.title.label = 'Problems';
    this.addClass('jp-CodeRunner-problems');

    const heading = element('h2', 'jp-CodeRunner-heading', 'Problems');
    this.header.addWidget(new Widget({ node: heading }));

    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Reload problems and progress',
        onClick: () => void this.refresh()
      })
    );
    this.toolbar.addItem('format', this._createFormatPicker());

    this._body = new Widget();
    this._body.addClass('jp-CodeRunner-problems-body');
    this.content.addWidget(this._body);

    this._client.submissionFinished.connect(this._onSubmissionFinished, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._client.submissionFinished.disconnect(this._onSubmissionFinished, this);
    super.dispose();
  }

  /** Loads problems and progress; a progress failure still shows the problems. */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._showStatus('Loading problems…');
    const [problems, progress] = await Promise.allSettled([
      this._client.listProblems(),
      this._client.getProgress()
    ]);
    if (generation !== this._generation || this.isDisposed) {
      return; // a newer refresh is on its way
    }
    if (problems.status === 'rejected') {
      this._showError(`Could not load problems: ${describeError(problems.reason)}`);
      return;
    }
    this._render(
      problems.value,
      progress.status === 'fulfilled' ? progress.value : null,
      progress.status === 'rejected' ? describeError(progress.reason) : null
    );
  }

  private _createFormatPicker(): Widget {
    const label = document.createElement('label');
    label.className = 'jp-CodeRunner-format';
    label.title = 'How new problems are opened';
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    for (const [value, text] of [
      ['notebook', 'Notebook'],
      ['script', 'Python file']
    ]) {
      select.appendChild(new Option(text, value));
    }
    select.value = this._format;
    select.addEventListener('change', () => {
      this._format = select.value as ProblemFormat;
    });
    label.append('Open as ', select);
    return new Widget({ node: label });
  }

  private _showStatus(text: string): void {
    const node = this._body.node;
    node.replaceChildren(element('p', 'jp-CodeRunner-status', text));
  }

  private _showError(text: string): void {
    const node = this._body.node;
    const error = element('div', 'jp-CodeRunner-error', text);
    error.setAttribute('role', 'alert');
    node.replaceChildren(error);
  }

  private _render(
    problems: IProblemSummary[],
    progress: IProgress | null,
    progressError: string | null
  ): void {
    const node = this._body.node;
    node.replaceChildren();
    const byProblem = new Map<string, IProblemProgress>(
      (progress?.problems ?? []).map(p => [p.problem_id, p])
    );

    if (progress) {
      node.appendChild(
        element(
          'p',
          'jp-CodeRunner-summary',
          `Solved ${progress.solved} of ${problems.length} · score ${progress.total_score}`
        )
      );
    }
    if (progressError) {
      node.appendChild(
        element('div', 'jp-CodeRunner-error', `Progress unavailable: ${progressError}`)
      );
    }
    if (problems.length === 0) {
      node.appendChild(element('p', 'jp-CodeRunner-status', 'No problems published yet.'));
      return;
    }

    for (const [track, levels] of groupProblems(problems)) {
      const trackNode = element('section', 'jp-CodeRunner-track');
      trackNode.appendChild(element('h2', 'jp-CodeRunner-trackTitle', track));
      for (const [level, items] of levels) {
        trackNode.appendChild(element('h3', 'jp-CodeRunner-levelTitle', `Level ${level}`));
        const list = element('ul', 'jp-CodeRunner-problemList');
        for (const problem of items) {
          list.appendChild(this._renderProblem(problem, byProblem.get(problem.id)));
        }
        trackNode.appendChild(list);
      }
      node.appendChild(trackNode);
    }
  }

  private _renderProblem(problem: IProblemSummary, progress?: IProblemProgress): HTMLElement {
    const item = element('li', 'jp-CodeRunner-problem');
    item.dataset.problemId = problem.id;

    const tick = element('span', 'jp-CodeRunner-tick');
    if (progress?.solved) {
      item.classList.add('jp-mod-solved');
      checkIcon.element({ container: tick, title: 'Solved' });
    }
    item.appendChild(tick);

    const title = element('span', 'jp-CodeRunner-problemTitle', problem.title);
    title.title = problem.id;
    item.appendChild(title);

    const points =
      progress && progress.attempts > 0
        ? `${progress.best_score}/${progress.max_score} pts`
        : `${problem.points} pts`;
    item.appendChild(element('span', 'jp-CodeRunner-points', points));

    const open = element('button', 'jp-Button jp-mod-styled jp-mod-reject', 'Open');
    open.classList.add('jp-CodeRunner-open');
    open.title = `Open ${problem.title}`;
    open.addEventListener('click', () => void this._open(problem, item, open));
    item.appendChild(open);
    return item;
  }

  private async _open(
    problem: IProblemSummary,
    item: HTMLElement,
    button: HTMLButtonElement
  ): Promise<void> {
    button.disabled = true;
    item.querySelector('.jp-CodeRunner-error')?.remove();
    try {
      const opened = await this._client.openProblem(problem.id, this._format);
      this._openPath(opened.path);
    } catch (error) {
      item.appendChild(
        element('div', 'jp-CodeRunner-error', `Could not open: ${describeError(error)}`)
      );
    } finally {
      button.disabled = false;
    }
  }

  private _onSubmissionFinished(): void {
    void this.refresh();
  }

  private _client: CodeRunnerClient;
  private _openPath: (path: string) => void;
  private _body: Widget;
  private _format: ProblemFormat = 'notebook';
  private _generation = 0;
}

/** track → level → problems, in the order the platform defines (level, then `order`). */
export function groupProblems(
  problems: IProblemSummary[]
): Map<string, Map<string, IProblemSummary[]>> {
  const sorted = [...problems].sort(
    (a, b) =>
      compareLevel(a.level, b.level) ||
      (a.order ?? 0) - (b.order ?? 0) ||
      a.title.localeCompare(b.title)
  );
  const tracks = new Map<string, Map<string, IProblemSummary[]>>();
  for (const problem of sorted) {
    const track = problem.track || 'Other';
    const level = String(problem.level ?? '');
    let levels = tracks.get(track);
    if (!levels) {
      levels = new Map();
      tracks.set(track, levels);
    }
    const items = levels.get(level) ?? [];
    items.push(problem);
    levels.set(level, items);
  }
  return tracks;
}

function compareLevel(a: number | string, b: number | string): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) {
    return na - nb;
  }
  return String(a).localeCompare(String(b));
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
