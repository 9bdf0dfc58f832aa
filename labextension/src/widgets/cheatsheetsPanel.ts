import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { groupCheatsheets } from '../cheatsheets';
import { describeError } from '../errors';
import { cheatsheetIcon } from '../icons';
import { ICheatsheetSummary, ITrack } from '../records';
import { ICodeRunnerClient } from '../tokens';
import { createMarkdownWidget } from './markdown';

export interface ICheatsheetsPanelOptions {
  client: ICodeRunnerClient;
  rendermime: IRenderMimeRegistry | null;
}

/**
 * Side panel (left area): the cheatsheets grouped by track, and the chosen one's
 * Markdown below a "Back to all cheatsheets" button.
 */
export class CheatsheetsPanel extends Panel {
  constructor(options: ICheatsheetsPanelOptions) {
    super();
    this._client = options.client;
    this._rendermime = options.rendermime;
    this.id = 'coderunner-cheatsheets';
    this.title.icon = cheatsheetIcon;
    this.title.caption = 'Cheatsheets: short reminders of Python';
    this.title.label = 'Cheatsheets';
    this.addClass('jp-CodeRunner-cheatsheets');
    this.node.dataset.cr = 'cheatsheets-panel';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Cheatsheets');

    this._list = new Widget();
    this._list.addClass('jp-CodeRunner-cheatsheetList');
    this.addWidget(this._list);

    this._view = new Panel();
    this._view.addClass('jp-CodeRunner-cheatsheetView');
    this._view.node.dataset.cr = 'cheatsheet-view';
    this._view.hide();
    this.addWidget(this._view);
    this._showListStatus('Loading cheatsheets…');
  }

  /** Loads the list (and the track titles to group it by). */
  async refresh(): Promise<void> {
    const [sheets, tracks] = await Promise.allSettled([
      this._client.listCheatsheets(),
      this._client.listTracks()
    ]);
    if (this.isDisposed) {
      return;
    }
    if (sheets.status === 'rejected') {
      this._loaded = null;
      this._showListStatus(`Could not load the cheatsheets: ${describeError(sheets.reason)}`, true);
      return;
    }
    this._loaded = sheets.value;
    this._renderList(sheets.value, tracks.status === 'fulfilled' ? tracks.value : []);
  }

  /** Shows one cheatsheet (loading the list too when it has not been). */
  async open(cheatsheetId: string): Promise<void> {
    const generation = ++this._generation;
    this._openId = cheatsheetId;
    if (this._loaded === null) {
      void this.refresh();
    }
    this._list.hide();
    this._view.show();
    this._setView([statusLine('Loading the cheatsheet…')]);
    let body: Widget;
    let title = cheatsheetId;
    try {
      const sheet = await this._client.getCheatsheet(cheatsheetId);
      title = sheet.title;
      body = await createMarkdownWidget(
        sheet.markdown,
        this._rendermime,
        'jp-CodeRunner-cheatsheetText'
      );
    } catch (error) {
      body = new Widget({
        node: errorNode(`Could not load this cheatsheet: ${describeError(error)}`)
      });
    }
    if (generation !== this._generation || this.isDisposed) {
      body.dispose();
      return;
    }
    const heading = document.createElement('h2');
    heading.className = 'jp-CodeRunner-cheatsheetTitle';
    heading.textContent = title;
    heading.tabIndex = -1;
    this._setView([new Widget({ node: this._backButton() }), new Widget({ node: heading }), body]);
    heading.focus();
  }

  /** Back to the list, the focus on the cheatsheet that was open. */
  private _back(): void {
    const open = this._openId;
    ++this._generation;
    this._setView([]);
    this._view.hide();
    this._list.show();
    const item = this._list.node.querySelector<HTMLElement>(
      `[data-cr="cheatsheet-item"][data-id="${CSS.escape(open ?? '')}"]`
    );
    (item ?? this._list.node.querySelector<HTMLElement>('button'))?.focus();
  }

  private _backButton(): HTMLButtonElement {
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'jp-Button jp-mod-styled jp-mod-reject jp-CodeRunner-action';
    back.dataset.cr = 'cheatsheet-back';
    back.textContent = '← All cheatsheets';
    back.setAttribute('aria-label', 'Back to all cheatsheets');
    back.addEventListener('click', () => this._back());
    return back;
  }

  private _setView(widgets: Widget[]): void {
    for (const child of [...this._view.widgets]) {
      child.dispose();
    }
    for (const widget of widgets) {
      this._view.addWidget(widget);
    }
  }

  private _renderList(sheets: ICheatsheetSummary[], tracks: ITrack[]): void {
    const nodes: HTMLElement[] = [];
    const heading = document.createElement('h2');
    heading.className = 'jp-CodeRunner-heading';
    heading.textContent = 'Cheatsheets';
    nodes.push(heading);
    const groups = groupCheatsheets(sheets, tracks);
    if (groups.length === 0) {
      nodes.push(statusLine('There are no cheatsheets yet.').node);
    }
    for (const group of groups) {
      const section = document.createElement('section');
      section.className = 'jp-CodeRunner-cheatsheetGroup';
      const title = document.createElement('h3');
      title.className = 'jp-CodeRunner-cheatsheetTrack';
      title.textContent = group.title;
      section.setAttribute('aria-label', group.title);
      const list = document.createElement('ul');
      list.className = 'jp-CodeRunner-linkList';
      for (const sheet of group.sheets) {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'jp-CodeRunner-linkButton';
        button.dataset.cr = 'cheatsheet-item';
        button.dataset.id = sheet.id;
        button.textContent = sheet.title;
        button.title = sheet.topic ? `${sheet.title} (${sheet.topic})` : sheet.title;
        button.addEventListener('click', () => void this.open(sheet.id));
        li.appendChild(button);
        list.appendChild(li);
      }
      section.append(title, list);
      nodes.push(section);
    }
    this._list.node.replaceChildren(...nodes);
  }

  private _showListStatus(text: string, error = false): void {
    this._list.node.replaceChildren(error ? errorNode(text) : statusLine(text).node);
  }

  private _client: ICodeRunnerClient;
  private _rendermime: IRenderMimeRegistry | null;
  private _list: Widget;
  private _view: Panel;
  private _loaded: ICheatsheetSummary[] | null = null;
  private _generation = 0;
  private _openId: string | null = null;
}

function statusLine(text: string): Widget {
  const node = document.createElement('p');
  node.className = 'jp-CodeRunner-status';
  node.textContent = text;
  return new Widget({ node });
}

function errorNode(text: string): HTMLElement {
  const node = document.createElement('div');
  node.className = 'jp-CodeRunner-error';
  node.setAttribute('role', 'alert');
  node.textContent = text;
  return node;
}
