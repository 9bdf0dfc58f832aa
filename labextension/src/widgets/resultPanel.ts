import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { recordedForText } from '../assessments';
import { busyRetrySeconds, busyText, IBusyAnswer, ReloadQueue } from '../backoff';
import { describeError } from '../errors';
import {
  EMPTY_HISTORY,
  EMPTY_HISTORY_TEXT,
  addPage,
  hasOlder,
  HISTORY_PAGE_SIZE,
  historyRow,
  IHistory
} from '../history';
import { hintsView } from '../hints';
import { resultIcon } from '../icons';
import { DIFF_MARK, IDiffLine, showTrailingSpaces } from '../lineDiff';
import {
  IAssessment,
  IGuide,
  IHints,
  IOwnSubmission,
  IProblem,
  isFinished,
  ITrack,
  ProblemFormat
} from '../records';
import {
  describeResult,
  errorState,
  inputText,
  IResultView,
  IRunView,
  ITestRow,
  mustWait,
  PRACTICE_LABEL,
  ResultState,
  runView,
  submissionState
} from '../resultState';
import { ICodeRunnerClient } from '../tokens';
import { focusKey, restoreFocus } from './focus';
import { createMarkdownWidget } from './markdown';
import { element } from './dom';

/** The learner's file the panel works on. */
export interface IResultTarget {
  problemId: string;
  /** Relative to the server root. */
  path: string;
  format: ProblemFormat;
  /** Saves the file (before a check, a submission or a run). */
  save(): Promise<void>;
  /** Puts `code` back into the file (see `restore.ts`). */
  restore(code: string): Promise<void>;
}

export interface IResultPanelOptions {
  client: ICodeRunnerClient;
  rendermime: IRenderMimeRegistry | null;
  /** Submits the shown problem's file (asking about an open assessment first if need be). */
  submit: (target: IResultTarget) => void;
  /** Opens a cheatsheet in the Cheatsheets panel. */
  openCheatsheet: (cheatsheetId: string) => void;
  /** Asks the learner to confirm; resolves true for yes. */
  confirm: (title: string, body: string, okLabel: string) => Promise<boolean>;
}

/** What the panel loads for a problem; `older` is the next page of the history. */
type PaneLoad = 'problem' | 'hints' | 'history' | 'older';

/** Everything the panel knows about one problem. */
interface IPane {
  target: IResultTarget;
  problem: IProblem | null;
  problemError: string;
  guide: IGuide | null;
  state: ResultState;
  /** A line above the result ("Recorded for Loops quiz", where a past result is from). */
  note: string;
  /** The past submission on show (chosen in the history), which can be put back. */
  shown: IOwnSubmission | null;
  hints: IHints | null;
  hintsError: string;
  hintsBusy: boolean;
  history: IHistory;
  historyError: string;
  historyBusy: boolean;
  stdin: string;
  run: IRunView | null;
  runError: string;
  runBusy: boolean;
  /** Stops following the submission on show. */
  follow: AbortController | null;
  /** The statement, rendered once. */
  statement: Widget | null;
  statementOpen: boolean;
  /** Every load of the pane goes through here: one at a time, a busy answer retried once. */
  loads: ReloadQueue<PaneLoad>;
  /** The calm line while a busy answer's wait runs ('' when none). */
  waitText: string;
}

/**
 * The result side panel (right area): for the problem whose file the learner works on,
 * the result of the last Check or Submit as it goes (queued with the place in the queue,
 * running, then the verdict in plain words said by the track's guide, the score, and a
 * row per test with a line diff of expected and printed output), hints, cheatsheet
 * links, the learner's earlier submissions (each can be shown and put back in the
 * file), and for `.py` files the statement and "Run with input". It stays open while
 * the learner edits. A busy server's answer counts down until the learner may send again.
 */
export class ResultPanel extends Panel {
  constructor(options: IResultPanelOptions) {
    super();
    this._options = options;
    this.id = 'coderunner-result';
    this.title.icon = resultIcon;
    this.title.caption = 'Code Runner: your result, hints and earlier tries';
    this.title.label = 'Result';
    this.addClass('jp-CodeRunner-resultPanel');
    this.node.dataset.cr = 'result-panel';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Code Runner result');

    this._top = new Widget();
    this._top.addClass('jp-CodeRunner-resultTop');
    this.addWidget(this._top);

    this._statementHost = new Panel();
    this._statementHost.addClass('jp-CodeRunner-statement');
    this._statementHost.node.dataset.cr = 'statement';
    this._statementHost.hide();
    this.addWidget(this._statementHost);

    // The live region stays in place; only its text changes (so it is announced).
    const live = new Widget();
    live.addClass('jp-CodeRunner-resultStatus');
    live.node.setAttribute('role', 'status');
    live.node.setAttribute('aria-live', 'polite');
    live.node.dataset.cr = 'result-status';
    this._status = live.node;
    this.addWidget(live);

    this._countdown = document.createElement('p');
    this._countdown.className = 'jp-CodeRunner-countdown';
    this._countdown.dataset.cr = 'countdown';
    this._countdown.setAttribute('role', 'timer');
    this._countdown.hidden = true;
    const countdown = new Widget({ node: this._countdown });
    this.addWidget(countdown);

    this._main = new Widget();
    this._main.addClass('jp-CodeRunner-resultMain');
    this.addWidget(this._main);

    this._runBox = this._createRunBox();
    this.addWidget(this._runBox.widget);

    this._rest = new Widget();
    this._rest.addClass('jp-CodeRunner-resultRest');
    this.addWidget(this._rest);

    this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopTicking();
    for (const pane of this._panes.values()) {
      pane.follow?.abort();
      pane.loads.dispose();
      pane.statement?.dispose();
    }
    super.dispose();
  }

  /** The problem on show, if any. */
  get problemId(): string | null {
    return this._current?.target.problemId ?? null;
  }

  /**
   * Shows the problem of `target` (the learner's current file), loading its details,
   * hints and history the first time.
   */
  showProblem(target: IResultTarget): void {
    let pane = this._panes.get(target.problemId);
    let moved = false;
    if (pane) {
      moved = pane.target.path !== target.path || pane.target.format !== target.format;
      pane.target = target;
    } else {
      const created: IPane = {
        target,
        problem: null,
        problemError: '',
        guide: null,
        state: { kind: 'idle' },
        note: '',
        shown: null,
        hints: null,
        hintsError: '',
        hintsBusy: false,
        history: EMPTY_HISTORY,
        historyError: '',
        historyBusy: false,
        stdin: '',
        run: null,
        runError: '',
        runBusy: false,
        follow: null,
        statement: null,
        statementOpen: true,
        loads: new ReloadQueue<PaneLoad>({
          run: parts => this._load(created, parts),
          coalesceMs: 0,
          onWait: seconds => {
            created.waitText = seconds === null ? '' : busyText(seconds);
            this._renderIf(created);
          }
        }),
        waitText: ''
      };
      pane = created;
      this._panes.set(target.problemId, pane);
      void pane.loads.request(['problem', 'hints', 'history']);
    }
    if (this._current !== pane || moved) {
      this._current = pane;
      this._runBox.input.value = pane.stdin;
      this._render();
      void this._showStatement(pane);
    }
  }

  /** Saves the file, submits it and follows it to its verdict. */
  async submit(target: IResultTarget, assessment: IAssessment | null): Promise<void> {
    this.showProblem(target);
    const pane = this._panes.get(target.problemId)!;
    pane.follow?.abort();
    const stop = new AbortController();
    pane.follow = stop;
    pane.shown = null;
    pane.note = '';
    this._set(pane, { kind: 'saving', practice: false });
    try {
      await target.save();
      this._set(pane, { kind: 'sending', practice: false });
      const ticket = await this._options.client.submit(
        target.problemId,
        target.path,
        assessment?.id
      );
      const recordedFor = ticket.assessment_id || null;
      const notes: string[] = [];
      if (recordedFor) {
        notes.push(
          recordedForText(assessment?.id === recordedFor ? assessment.title : recordedFor)
        );
      }
      if (ticket.duplicate) {
        notes.push('You sent exactly this code before, so here is its result again.');
      }
      pane.note = notes.join(' ');
      if (!isFinished(ticket.status)) {
        this._set(
          pane,
          ticket.status === 'queued' ? { kind: 'queued', position: null } : { kind: 'running' }
        );
      }
      const result = await this._options.client.waitForResult(ticket.id, {
        signal: stop.signal,
        onUpdate: submission => {
          if (!stop.signal.aborted) {
            this._set(pane, submissionState(submission));
          }
        }
      });
      if (!stop.signal.aborted) {
        this._set(pane, submissionState(result));
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        this._set(pane, errorState(error, false));
      }
    } finally {
      if (pane.follow === stop) {
        pane.follow = null;
      }
      void pane.loads.request(['history']);
    }
  }

  /** Saves the file and runs its public tests: a practice check, not graded. */
  async check(target: IResultTarget): Promise<void> {
    this.showProblem(target);
    const pane = this._panes.get(target.problemId)!;
    pane.follow?.abort();
    pane.follow = null;
    pane.shown = null;
    pane.note = '';
    this._set(pane, { kind: 'saving', practice: true });
    try {
      await target.save();
      this._set(pane, { kind: 'sending', practice: true });
      const check = await this._options.client.check(target.problemId, target.path);
      this._set(pane, { kind: 'checked', check });
    } catch (error) {
      this._set(pane, errorState(error, true));
    }
  }

  /** Reveals the next hint of the problem on show. */
  async revealHint(): Promise<void> {
    const pane = this._current;
    if (!pane || pane.hintsBusy || !hintsView(pane.hints).canReveal) {
      return;
    }
    pane.hintsBusy = true;
    this._render();
    try {
      pane.hints = await this._options.client.revealHint(pane.target.problemId);
      pane.hintsError = '';
    } catch (error) {
      pane.hintsError = describeError(error);
    }
    pane.hintsBusy = false;
    this._renderIf(pane);
    if (pane === this._current) {
      // Take the learner to the hint they asked for.
      this._rest.node.querySelector<HTMLElement>('[data-cr="hint-item"]:last-of-type')?.focus();
    }
  }

  /** Moves the focus to the input box of "Run with input" (when the problem has one). */
  focusRunInput(): boolean {
    if (this._runBox.widget.isHidden) {
      return false;
    }
    this._runBox.input.focus();
    return true;
  }

  /** Whether "Run with input" applies: a program problem in a `.py` file. */
  canRun(): boolean {
    const pane = this._current;
    return !!pane && pane.target.format === 'script' && pane.problem?.kind === 'program';
  }

  private _set(pane: IPane, state: ResultState): void {
    pane.state = state;
    this._renderIf(pane);
  }

  private _renderIf(pane: IPane): void {
    if (pane === this._current && !this.isDisposed) {
      this._render();
    }
  }

  /**
   * One run of a pane's loads. Each shows its answer as it comes; a busy answer keeps
   * what is on show (the wait line speaks) and is asked again after the wait.
   */
  private async _load(
    pane: IPane,
    parts: ReadonlySet<PaneLoad>
  ): Promise<IBusyAnswer<PaneLoad> | null> {
    const answers = await Promise.all([
      parts.has('problem') ? this._loadProblem(pane) : [],
      parts.has('hints') ? this._loadHints(pane) : [],
      parts.has('history') || parts.has('older') ? this._loadHistory(pane, parts) : []
    ]);
    const busy = answers.flat();
    return busy.length > 0
      ? { parts: busy.map(b => b.part), retryAfterSeconds: Math.max(...busy.map(b => b.seconds)) }
      : null;
  }

  private async _loadProblem(pane: IPane): Promise<IBusyLoad[]> {
    const client = this._options.client;
    const busy: IBusyLoad[] = [];
    try {
      const [problem, tracks] = await Promise.all([
        client.getProblem(pane.target.problemId),
        this._tracks().catch(() => [] as ITrack[])
      ]);
      pane.problem = problem;
      pane.guide = tracks.find(t => t.id === problem.track)?.guide ?? null;
      pane.problemError = '';
    } catch (error) {
      const seconds = busyRetrySeconds(error);
      if (seconds !== null) {
        busy.push({ part: 'problem', seconds });
      } else {
        pane.problemError = describeError(error);
      }
    }
    this._renderIf(pane);
    if (pane === this._current) {
      void this._showStatement(pane);
    }
    return busy;
  }

  private _tracks(): Promise<ITrack[]> {
    if (!this._tracksPromise) {
      this._tracksPromise = this._options.client.listTracks();
      this._tracksPromise.catch(() => (this._tracksPromise = null));
    }
    return this._tracksPromise;
  }

  private async _loadHints(pane: IPane): Promise<IBusyLoad[]> {
    try {
      pane.hints = await this._options.client.getHints(pane.target.problemId);
      pane.hintsError = '';
    } catch (error) {
      const seconds = busyRetrySeconds(error);
      if (seconds !== null) {
        return [{ part: 'hints', seconds }];
      }
      pane.hintsError = describeError(error);
    } finally {
      this._renderIf(pane);
    }
    return [];
  }

  /** The newest page (`history`), then the next older one (`older`), as asked. */
  private async _loadHistory(pane: IPane, parts: ReadonlySet<PaneLoad>): Promise<IBusyLoad[]> {
    pane.historyBusy = true;
    this._renderIf(pane);
    const busy: IBusyLoad[] = [];
    for (const part of ['history', 'older'] as const) {
      const first = part === 'history';
      if (!parts.has(part) || (!first && pane.history.next === null)) {
        continue;
      }
      try {
        const page = await this._options.client.listSubmissions(pane.target.problemId, {
          limit: HISTORY_PAGE_SIZE,
          before: first ? null : pane.history.next
        });
        pane.history = addPage(pane.history, page, first);
        pane.historyError = '';
      } catch (error) {
        const seconds = busyRetrySeconds(error);
        if (seconds === null) {
          pane.historyError = `Could not load your earlier tries: ${describeError(error)}`;
        } else {
          busy.push({ part, seconds });
          if (first && parts.has('older')) {
            busy.push({ part: 'older', seconds }); // after the newest page, as asked
          }
          break;
        }
      }
    }
    pane.historyBusy = false;
    this._renderIf(pane);
    return busy;
  }

  /** The statement of a `.py` problem (a notebook shows its own), rendered once. */
  private async _showStatement(pane: IPane): Promise<void> {
    const host = this._statementHost;
    const wanted = pane.target.format === 'script' && pane.problem !== null;
    if (!wanted) {
      if (pane === this._current) {
        this._detachStatements();
        host.hide();
      }
      return;
    }
    if (!pane.statement) {
      const problem = pane.problem!;
      const body = await createMarkdownWidget(
        problem.statement || 'This problem has no task text.',
        this._options.rendermime,
        'jp-CodeRunner-statementText'
      );
      if (pane.statement || this.isDisposed) {
        body.dispose();
      } else {
        pane.statement = body;
      }
    }
    if (pane !== this._current || this.isDisposed) {
      return;
    }
    this._detachStatements();
    host.addWidget(this._statementToggle(pane));
    host.addWidget(pane.statement!);
    pane.statement!.setHidden(!pane.statementOpen);
    host.show();
  }

  private _detachStatements(): void {
    for (const child of [...this._statementHost.widgets]) {
      if ([...this._panes.values()].some(p => p.statement === child)) {
        child.parent = null;
      } else {
        child.dispose();
      }
    }
  }

  private _statementToggle(pane: IPane): Widget {
    const button = element('button', 'jp-CodeRunner-statementToggle');
    button.type = 'button';
    button.dataset.cr = 'statement-toggle';
    const update = () => {
      button.textContent = pane.statementOpen ? 'Hide the task' : 'Show the task';
      button.setAttribute('aria-expanded', String(pane.statementOpen));
      pane.statement?.setHidden(!pane.statementOpen);
    };
    button.addEventListener('click', () => {
      pane.statementOpen = !pane.statementOpen;
      update();
    });
    update();
    return new Widget({ node: button });
  }

  /** Draws everything but the statement and the run box's input, keeping the focus. */
  private _render(): void {
    const focus = focusKey(this.node);
    const pane = this._current;
    const view = pane ? describeResult(pane.state, pane.guide) : null;
    this._renderTop(pane);
    this._renderStatus(view);
    this._renderMain(pane, view);
    this._renderRunBox(pane);
    this._renderRest(pane);
    this._updateTicking();
    restoreFocus(this.node, focus);
  }

  private _renderTop(pane: IPane | null): void {
    const nodes: HTMLElement[] = [];
    if (!pane) {
      nodes.push(
        element('h2', 'jp-CodeRunner-resultTitle', 'Your result'),
        element(
          'p',
          'jp-CodeRunner-resultEmpty',
          'Open a problem from the Problems panel. Then press Check to test your code, ' +
            'or Submit to send it to your teacher.'
        )
      );
      this._top.node.replaceChildren(...nodes);
      return;
    }
    const title = pane.problem?.title ?? pane.target.problemId;
    const heading = element('h2', 'jp-CodeRunner-resultTitle', title);
    heading.title = title;
    nodes.push(heading);
    if (pane.problemError) {
      nodes.push(errorLine(pane.problemError));
    }
    const waiting = mustWait(pane.state);
    const busy = describeResult(pane.state).busy;
    const actions = element('div', 'jp-CodeRunner-resultActions');
    actions.append(
      actionButton(
        'check-button',
        'Check',
        'Check my code with the practice tests (not sent to your teacher)',
        busy || waiting ? 'soft' : false,
        () => {
          void this.check(pane.target);
        }
      ),
      actionButton(
        'submit-button',
        'Submit',
        'Send my code to be graded',
        busy || waiting ? 'soft' : false,
        () => {
          this._options.submit(pane.target);
        },
        true
      )
    );
    nodes.push(actions);
    this._top.node.replaceChildren(...nodes);
  }

  private _renderStatus(view: IResultView | null): void {
    const text = view?.status ?? '';
    if (this._status.textContent !== text) {
      this._status.textContent = text;
    }
    this._status.classList.toggle('jp-mod-busy', !!view?.busy);
    // A finished result has its own headline below: the status is then only announced
    // (screen readers), not shown a second time.
    this._status.classList.toggle('jp-CodeRunner-announceOnly', !view?.busy);
    this._status.hidden = text === '';
    this.node.setAttribute('aria-busy', String(!!view?.busy));
    this._countdown.textContent = view?.countdown ?? '';
    this._countdown.hidden = !view?.countdown;
  }

  private _renderMain(pane: IPane | null, view: IResultView | null): void {
    const root = this._main.node;
    if (!pane || !view) {
      root.replaceChildren();
      return;
    }
    const nodes: HTMLElement[] = [];
    if (view.practice) {
      const label = element('p', 'jp-CodeRunner-practiceLabel', PRACTICE_LABEL);
      label.dataset.cr = 'practice-label';
      nodes.push(label);
    }
    if (pane.note) {
      nodes.push(element('p', 'jp-CodeRunner-resultNote', pane.note));
    }
    if (pane.state.kind === 'error') {
      const error = errorLine(view.status);
      error.dataset.cr = 'result-error';
      nodes.push(error);
    }
    if (view.headline) {
      const result = element('section', 'jp-CodeRunner-result');
      result.dataset.cr = 'result';
      result.setAttribute('aria-label', view.practice ? 'Practice check result' : 'Result');
      const verdict = element('p', 'jp-CodeRunner-verdict');
      verdict.dataset.cr = 'result-verdict';
      const outcome = view.outcome ?? 'none';
      verdict.classList.add(`jp-mod-${outcome}`);
      const icon = element(
        'span',
        'jp-CodeRunner-verdictIcon',
        outcome === 'pass' ? '✓' : outcome === 'fail' ? '✗' : '!'
      );
      icon.setAttribute('aria-hidden', 'true');
      verdict.append(icon, ` ${view.headline}`);
      result.appendChild(verdict);
      const explanation = element('p', 'jp-CodeRunner-explanation', view.explanation);
      explanation.dataset.cr = 'result-explanation';
      result.appendChild(explanation);
      if (view.score) {
        const score = element('p', 'jp-CodeRunner-score', view.score);
        score.dataset.cr = 'result-score';
        result.appendChild(score);
      }
      if (view.summary) {
        const summary = element('p', 'jp-CodeRunner-message', view.summary);
        summary.dataset.cr = 'result-summary';
        result.appendChild(summary);
      }
      if (view.tests.length > 0) {
        result.appendChild(renderTests(view.tests));
      }
      if (pane.shown) {
        const restore = actionButton(
          'restore-button',
          'Put this code back',
          'Put the code of this earlier try back into your file',
          false,
          () => void this._restore(pane, pane.shown!)
        );
        result.appendChild(restore);
      }
      nodes.push(result);
    }
    root.replaceChildren(...nodes);
  }

  private _renderRest(pane: IPane | null): void {
    const root = this._rest.node;
    if (!pane) {
      root.replaceChildren();
      return;
    }
    const nodes: HTMLElement[] = [];
    if (pane.waitText) {
      const wait = element('p', 'jp-CodeRunner-status jp-CodeRunner-wait', pane.waitText);
      wait.dataset.cr = 'busy-wait';
      nodes.push(wait);
    }
    root.replaceChildren(
      ...nodes,
      this._renderHints(pane),
      ...this._renderCheatsheets(pane),
      this._renderHistory(pane)
    );
  }

  private _renderHints(pane: IPane): HTMLElement {
    const section = element('section', 'jp-CodeRunner-hints');
    section.dataset.cr = 'hints';
    section.setAttribute('aria-label', 'Hints');
    section.appendChild(element('h3', 'jp-CodeRunner-resultHeading', 'Hints'));
    const view = hintsView(pane.hints);
    if (view.items.length > 0) {
      const list = element('ol', 'jp-CodeRunner-hintList');
      view.items.forEach((item, i) => {
        const li = element('li', 'jp-CodeRunner-hint');
        li.dataset.cr = 'hint-item';
        li.dataset.id = String(i);
        li.tabIndex = -1;
        li.append(
          element('strong', 'jp-CodeRunner-hintLabel', item.label),
          element('span', 'jp-CodeRunner-hintText', item.text)
        );
        list.appendChild(li);
      });
      section.appendChild(list);
    }
    if (view.note) {
      section.appendChild(element('p', 'jp-CodeRunner-hintNote', view.note));
    }
    if (pane.hintsError) {
      section.appendChild(errorLine(pane.hintsError));
    }
    const button = actionButton(
      'hint-button',
      pane.hintsBusy ? 'Getting a hint…' : view.buttonLabel,
      view.canReveal ? 'Show the next hint for this problem' : view.buttonLabel,
      !view.canReveal ? true : pane.hintsBusy ? 'soft' : false,
      () => void this.revealHint()
    );
    section.appendChild(button);
    return section;
  }

  private _renderCheatsheets(pane: IPane): HTMLElement[] {
    const sheets = pane.problem?.cheatsheets ?? [];
    if (sheets.length === 0) {
      return [];
    }
    const section = element('section', 'jp-CodeRunner-resultCheatsheets');
    section.setAttribute('aria-label', 'Cheatsheets');
    section.appendChild(element('h3', 'jp-CodeRunner-resultHeading', 'Cheatsheets that help'));
    const list = element('ul', 'jp-CodeRunner-linkList');
    for (const sheet of sheets) {
      const li = element('li', '');
      const link = element('button', 'jp-CodeRunner-linkButton', sheet.title);
      link.type = 'button';
      link.dataset.cr = 'cheatsheet-link';
      link.dataset.id = sheet.id;
      link.setAttribute('aria-label', `Open the cheatsheet ${sheet.title}`);
      link.addEventListener('click', () => this._options.openCheatsheet(sheet.id));
      li.appendChild(link);
      list.appendChild(li);
    }
    section.appendChild(list);
    return [section];
  }

  private _renderHistory(pane: IPane): HTMLElement {
    const section = element('section', 'jp-CodeRunner-history');
    section.dataset.cr = 'history';
    section.setAttribute('aria-label', 'Your earlier tries');
    section.appendChild(element('h3', 'jp-CodeRunner-resultHeading', 'Your earlier tries'));
    const history = pane.history;
    if (history.loaded && history.items.length === 0) {
      section.appendChild(element('p', 'jp-CodeRunner-historyEmpty', EMPTY_HISTORY_TEXT));
    }
    if (history.items.length > 0) {
      const list = element('ul', 'jp-CodeRunner-historyList');
      const now = new Date();
      for (const submission of history.items) {
        const row = historyRow(submission, now);
        const li = element('li', '');
        const item = element('button', 'jp-CodeRunner-historyItem');
        item.type = 'button';
        item.dataset.cr = 'history-item';
        item.dataset.id = submission.id;
        item.setAttribute('aria-label', `Show this try: ${row.label}`);
        const chosen = pane.shown?.id === submission.id;
        item.setAttribute('aria-pressed', String(chosen));
        item.classList.toggle('jp-mod-chosen', chosen);
        item.append(
          element('span', 'jp-CodeRunner-historyVerdict', row.verdict),
          element('span', 'jp-CodeRunner-historyScore', row.score),
          element('span', 'jp-CodeRunner-historyTime', row.time)
        );
        item.addEventListener('click', () => this._showPast(pane, submission));
        li.appendChild(item);
        list.appendChild(li);
      }
      section.appendChild(list);
    }
    if (pane.historyError) {
      section.appendChild(errorLine(pane.historyError));
    }
    if (pane.historyBusy) {
      section.appendChild(element('p', 'jp-CodeRunner-status', 'Loading…'));
    } else if (hasOlder(history)) {
      section.appendChild(
        actionButton(
          'history-older',
          'Show older',
          'Show older tries',
          false,
          () => void pane.loads.request(['older'])
        )
      );
    }
    return section;
  }

  /** Shows an earlier submission's result, with "Put this code back". */
  private _showPast(pane: IPane, submission: IOwnSubmission): void {
    pane.follow?.abort();
    pane.follow = null;
    pane.shown = submission;
    const when = historyRow(submission).time;
    pane.note = when ? `Your try from ${when}.` : 'An earlier try.';
    this._set(pane, submissionState(submission));
    this._main.node
      .querySelector<HTMLElement>('[data-cr="result-verdict"]')
      ?.scrollIntoView?.({ block: 'nearest' });
  }

  private async _restore(pane: IPane, submission: IOwnSubmission): Promise<void> {
    const when = historyRow(submission).time;
    const ok = await this._options.confirm(
      'Put this code back?',
      `The code in ${pane.target.path} will be replaced by your try from ${when || 'before'}. ` +
        'Your code now will be gone, unless you undo.',
      'Put it back'
    );
    if (!ok) {
      return;
    }
    try {
      await pane.target.restore(submission.code);
      pane.note = `Your try from ${when || 'before'} is back in your file.`;
    } catch (error) {
      pane.note = `Could not put the code back: ${describeError(error)}`;
    }
    this._renderIf(pane);
  }

  private _createRunBox(): { widget: Widget; input: HTMLTextAreaElement } {
    const node = element('section', 'jp-CodeRunner-run');
    node.setAttribute('aria-label', 'Run with input');
    node.dataset.cr = 'run';
    const heading = element('h3', 'jp-CodeRunner-resultHeading', 'Run with input');
    const input = element('textarea', 'jp-CodeRunner-runInput');
    input.id = 'jp-CodeRunner-runInput';
    input.rows = 3;
    input.dataset.cr = 'run-input';
    input.spellcheck = false;
    const label = element(
      'label',
      'jp-CodeRunner-runLabel',
      'What to type into your program (one answer on each line):'
    );
    label.htmlFor = input.id;
    input.addEventListener('input', () => {
      if (this._current) {
        this._current.stdin = input.value;
      }
    });
    const output = element('div', 'jp-CodeRunner-runOutput');
    output.dataset.cr = 'run-output';
    output.setAttribute('aria-live', 'polite');
    node.append(heading, label, input, output);
    const widget = new Widget({ node });
    widget.hide();
    return { widget, input };
  }

  private _renderRunBox(pane: IPane | null): void {
    const box = this._runBox.widget;
    if (!pane || !this.canRun()) {
      box.hide();
      return;
    }
    box.show();
    const node = box.node;
    node.querySelector('[data-cr="run-button"]')?.remove();
    const run = actionButton(
      'run-button',
      pane.runBusy ? 'Running…' : 'Run',
      'Run your program with this input',
      pane.runBusy ? 'soft' : false,
      () => void this._run(pane)
    );
    node.insertBefore(run, node.querySelector('.jp-CodeRunner-runOutput'));
    const output = node.querySelector<HTMLElement>('.jp-CodeRunner-runOutput')!;
    const nodes: HTMLElement[] = [];
    if (pane.run) {
      nodes.push(element('p', 'jp-CodeRunner-runHeading', 'Your program printed:'));
      nodes.push(element('pre', 'jp-CodeRunner-runStdout', pane.run.output));
      if (pane.run.problem) {
        nodes.push(errorLine(pane.run.problem, 'pre'));
      }
    }
    if (pane.runError) {
      nodes.push(errorLine(pane.runError));
    }
    output.replaceChildren(...nodes);
  }

  private async _run(pane: IPane): Promise<void> {
    if (pane.runBusy) {
      return;
    }
    pane.runBusy = true;
    pane.runError = '';
    this._renderIf(pane);
    try {
      await pane.target.save();
      const result = await this._options.client.run(
        pane.target.problemId,
        pane.target.path,
        pane.stdin
      );
      pane.run = runView(result);
    } catch (error) {
      pane.run = null;
      pane.runError = describeError(error);
    }
    pane.runBusy = false;
    this._renderIf(pane);
  }

  /** Ticks the countdown each second while a busy answer's wait runs. */
  private _updateTicking(): void {
    const waiting = !!this._current && mustWait(this._current.state);
    if (waiting && this._ticker === null) {
      this._ticker = window.setInterval(() => {
        const pane = this._current;
        if (!pane || !mustWait(pane.state)) {
          this._stopTicking();
          this._render(); // "You can send again now." and the buttons back
          return;
        }
        this._countdown.textContent = describeResult(pane.state, pane.guide).countdown;
      }, 1000);
    } else if (!waiting) {
      this._stopTicking();
    }
  }

  private _stopTicking(): void {
    if (this._ticker !== null) {
      window.clearInterval(this._ticker);
      this._ticker = null;
    }
  }

  private _options: IResultPanelOptions;
  private _panes = new Map<string, IPane>();
  private _current: IPane | null = null;
  private _top: Widget;
  private _statementHost: Panel;
  private _status: HTMLElement;
  private _countdown: HTMLElement;
  private _main: Widget;
  private _runBox: { widget: Widget; input: HTMLTextAreaElement };
  private _rest: Widget;
  private _ticker: number | null = null;
  private _tracksPromise: Promise<ITrack[]> | null = null;
}

/** A load that got a busy answer, and the wait the server asked for (s). */
interface IBusyLoad {
  part: PaneLoad;
  seconds: number;
}

/** The tests, one item each: a sign and words for pass or not, then the details. */
function renderTests(tests: ITestRow[]): HTMLElement {
  const list = element('ul', 'jp-CodeRunner-tests');
  list.setAttribute('aria-label', 'Tests');
  for (const test of tests) {
    const item = element('li', `jp-CodeRunner-test jp-mod-${test.passed ? 'pass' : 'fail'}`);
    item.dataset.cr = 'test-row';
    item.dataset.status = test.passed ? 'pass' : 'fail';
    const head = element('div', 'jp-CodeRunner-testHead');
    const icon = element('span', 'jp-CodeRunner-testIcon', test.passed ? '✓' : '✗');
    icon.setAttribute('aria-hidden', 'true');
    head.append(
      icon,
      element(
        'span',
        'jp-CodeRunner-testName',
        test.hidden ? `${test.name} (hidden test)` : test.name
      ),
      element('span', 'jp-CodeRunner-testResult', test.result)
    );
    item.appendChild(head);
    if (test.message) {
      item.appendChild(element('div', 'jp-CodeRunner-testMessage', test.message));
    }
    if (test.call) {
      const call = element('div', 'jp-CodeRunner-testCall', test.call);
      call.dataset.cr = 'test-call';
      item.appendChild(call);
    }
    if (test.input !== null) {
      const input = element('div', 'jp-CodeRunner-testInput', inputText(test.input));
      input.dataset.cr = 'input-used';
      item.appendChild(input);
    }
    if (test.diff) {
      item.appendChild(renderDiff(test.diff, test.diffTip));
    } else if (test.stdout) {
      item.appendChild(element('pre', 'jp-CodeRunner-testStdout', test.stdout));
    }
    list.appendChild(item);
  }
  return list;
}

/** Expected vs printed output, line by line, marked by a sign and words (not colour alone). */
function renderDiff(lines: IDiffLine[], tip: string): HTMLElement {
  const block = element('div', 'jp-CodeRunner-diff');
  block.dataset.cr = 'diff';
  const legend = element('p', 'jp-CodeRunner-diffLegend');
  legend.append(
    element('span', 'jp-CodeRunner-diffKey jp-mod-missing', `${DIFF_MARK.missing.sign} expected`),
    ' ',
    element(
      'span',
      'jp-CodeRunner-diffKey jp-mod-extra',
      `${DIFF_MARK.extra.sign} your program printed`
    )
  );
  block.appendChild(legend);
  const pre = element('pre', 'jp-CodeRunner-diffLines');
  if (lines.length === 0) {
    pre.appendChild(
      element('span', 'jp-CodeRunner-diffLine jp-mod-same', '(no output expected and none printed)')
    );
  }
  for (const line of lines) {
    const row = element('span', `jp-CodeRunner-diffLine jp-mod-${line.kind}`);
    row.dataset.kind = line.kind;
    const sign = element('span', 'jp-CodeRunner-diffSign', DIFF_MARK[line.kind].sign);
    sign.setAttribute('aria-hidden', 'true');
    const label = element('span', 'jp-CodeRunner-srOnly', `${DIFF_MARK[line.kind].label}: `);
    row.append(sign, label, showTrailingSpaces(line.text) || ' ', '\n');
    pre.appendChild(row);
  }
  block.appendChild(pre);
  if (tip) {
    block.appendChild(element('p', 'jp-CodeRunner-diffTip', tip));
  }
  return block;
}

function actionButton(
  hook: string,
  label: string,
  title: string,
  disabled: boolean | 'soft',
  onClick: () => void,
  accept = false
): HTMLButtonElement {
  const button = element(
    'button',
    `jp-Button jp-mod-styled ${accept ? 'jp-mod-accept' : 'jp-mod-reject'}`,
    label
  );
  button.classList.add('jp-CodeRunner-action');
  button.type = 'button';
  button.dataset.cr = hook;
  button.title = title;
  button.setAttribute('aria-label', title === label ? label : `${label}: ${title}`);
  if (disabled === 'soft') {
    // Stays focusable (the focus is not lost while it waits), but does nothing.
    button.setAttribute('aria-disabled', 'true');
    button.classList.add('jp-mod-waiting');
  } else {
    button.disabled = disabled;
  }
  button.addEventListener('click', () => {
    if (button.getAttribute('aria-disabled') !== 'true') {
      onClick();
    }
  });
  return button;
}

function errorLine(text: string, tag: 'div' | 'pre' = 'div'): HTMLElement {
  const node = element(tag, 'jp-CodeRunner-error', text);
  return node;
}
