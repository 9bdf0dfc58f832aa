import {
  caretRightIcon,
  lockIcon,
  refreshIcon,
  SidePanel,
  Toolbar
} from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Panel, PanelLayout, Widget } from '@lumino/widgets';

import {
  attemptsLeft,
  attemptsLeftText,
  clockOffset,
  describeAssessment,
  nextTick,
  readAssessments,
  shownAssessments,
  statesAt,
  statesChanged
} from '../assessments';
import { classTrackTitle, cohortLine, cohortTracks, learnerCohorts } from '../cohorts';
import { busyText, IBusyAnswer, isBusyError, ReloadQueue } from '../backoff';
import { ApiError, describeError } from '../errors';
import { codeRunnerIcon } from '../icons';
import {
  EMPTY_BOARD_TEXT,
  LEADERBOARD_HEADING,
  ordinal,
  pointsText,
  readLeaderboards,
  showsYouLine,
  streakText,
  youText
} from '../leaderboard';
import {
  AssessmentState,
  IAssessment,
  ICohort,
  ILeaderboard,
  ILeaderboardRow,
  IProblemProgress,
  IProblemSummary,
  IProgress,
  ITrack,
  ProblemFormat
} from '../records';
import { IPanelData, loadParts, PanelPart, PanelResults, partsFor, Settled } from '../panelReloads';
import { describeSpace, ISpaceDescription } from '../space';
import { ICodeRunnerClient } from '../tokens';
import { formatPoints, formatScore } from '../score';
import {
  buildTracks,
  firstProblem,
  initialOpenTracks,
  isFirstTime,
  ITrackView,
  learnerTrack,
  NEXT_LABEL,
  problemState,
  recommendedProblem,
  STATE_WORDS,
  streakNudge,
  summaryText
} from '../tracks';
import { focusKey, restoreFocus } from './focus';
import { element } from './dom';

/** How often the space line is refreshed while the panel is shown. */
const SPACE_REFRESH_MS = 60 * 1000;

/** How long a reload after a verdict waits for other verdicts to join it. */
const RELOAD_COALESCE_MS = 500;

/** Numbers the leaderboards' bodies, for their toggles' `aria-controls`. */
let boardIds = 0;

export interface IProblemsPanelOptions {
  client: ICodeRunnerClient;
  /** Opens the learner's file (path relative to the server root) in the main area. */
  openPath: (path: string) => void;
}

/**
 * Side panel: problems in collapsible tracks and levels, with points, a tick for
 * solved ones and a lock on levels not open yet. "Open" asks the server for the
 * learner's file (created from the starter if missing) and opens it. A line at the
 * bottom says how much space the learner has left. Under the heading, the learner's
 * cohorts (their class); the tracks those work on are marked "Your class" and start
 * expanded. Above the tracks, the learner's assessments: open and upcoming ones, and
 * those closed in the last 24 hours, each with its problems, the attempts left on each
 * and an Open button; their countdowns follow the clock while the panel is shown.
 * Below them, the leaderboards of the learner's classes whose teacher switched one on:
 * the top rows, the learner's own row marked, and their place when further down.
 *
 * Each event reloads only what it can change (`panelReloads.ts`), one reload at a time
 * (`ReloadQueue`): a verdict reloads progress, assessments and leaderboards; a practice
 * check nothing. A busy answer (429 / 503) keeps what is on show, says so in one calm
 * line, and is asked again once, after the server's Retry-After.
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

    // Filled in when the server says which cohorts the learner is in.
    this._cohortLine = new Widget({ node: element('p', 'jp-CodeRunner-cohort') });
    this._cohortLine.hide();
    this.header.addWidget(this._cohortLine);

    // A plain <button> rather than JupyterLab's ToolbarButton, whose <jp-button> carries
    // ARIA attributes axe-core reports as not allowed (a critical violation).
    const reload = document.createElement('button');
    reload.type = 'button';
    reload.className = 'jp-CodeRunner-reload jp-Button jp-mod-minimal';
    reload.title = 'Reload problems and progress';
    reload.setAttribute('aria-label', 'Reload problems and progress');
    reload.appendChild(refreshIcon.element({ tag: 'span', elementSize: 'normal' }));
    reload.addEventListener('click', () => void this.refresh());
    this.toolbar.addItem('refresh', new Widget({ node: reload }));
    this.toolbar.addItem('format', this._createFormatPicker());

    // "Lots of people are working right now…" while a busy answer's wait runs.
    this._waitLine = new Widget({ node: element('p', 'jp-CodeRunner-status jp-CodeRunner-wait') });
    this._waitLine.node.setAttribute('role', 'status');
    this._waitLine.node.dataset.cr = 'busy-wait';
    this._waitLine.hide();
    this.content.addWidget(this._waitLine);

    // The guide's greeting, the summary line, "Start here" or "Try this next".
    this._intro = new Widget({ node: element('section', 'jp-CodeRunner-intro') });
    this._intro.node.setAttribute('aria-label', 'Your progress');
    this._intro.hide();
    this.content.addWidget(this._intro);

    // Filled in when the server lists the learner's assessments; hidden while none.
    this._assessmentsSection = new Widget({
      node: element('section', 'jp-CodeRunner-assessments')
    });
    this._assessmentsSection.node.setAttribute('aria-label', 'Assessments');
    this._assessmentsSection.hide();
    this.content.addWidget(this._assessmentsSection);

    // Filled in when the server sends a leaderboard; hidden while there is none.
    this._leaderboardSection = new Widget({
      node: element('section', 'jp-CodeRunner-leaderboard')
    });
    this._leaderboardSection.node.setAttribute('aria-label', LEADERBOARD_HEADING);
    this._leaderboardSection.hide();
    this.content.addWidget(this._leaderboardSection);

    this._body = new Widget();
    this._body.addClass('jp-CodeRunner-problems-body');
    this.content.addWidget(this._body);

    // Below the scrolling content, so it stays in view.
    this._space = new Widget();
    this._space.addClass('jp-CodeRunner-space');
    this._space.node.setAttribute('role', 'status');
    this._space.hide();
    (this.layout as PanelLayout).addWidget(this._space);

    this._reloads = new ReloadQueue<PanelPart>({
      run: parts => this._load(parts),
      coalesceMs: RELOAD_COALESCE_MS,
      onWait: seconds => this._showWait(seconds)
    });
    this._client.submissionFinished.connect(this._onSubmissionFinished, this);
    this._client.checkFinished.connect(this._onCheckFinished, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopSpaceTimer();
    this._stopAssessmentTimer();
    this._reloads.dispose();
    this._client.submissionFinished.disconnect(this._onSubmissionFinished, this);
    this._client.checkFinished.disconnect(this._onCheckFinished, this);
    super.dispose();
  }

  /**
   * Loads everything the panel shows: problems, tracks and progress (the list), and
   * alongside, never holding the list back, the learner's cohorts, assessments,
   * leaderboards and space. For the first load and the toolbar's reload button; events
   * reload only what they change. If tracks fail to load, problems are grouped by track
   * id and level; if progress fails, the problems still show. During a busy answer's
   * wait this joins the retry instead of asking at once.
   */
  refresh(): Promise<void> {
    if (!this._shown) {
      this._showStatus('Loading problems…');
    }
    return this._reloads.request(partsFor('reload'), 0);
  }

  /** One run of the reload queue: asks for `parts` and shows each answer as it comes. */
  private _load(parts: ReadonlySet<PanelPart>): Promise<IBusyAnswer<PanelPart> | null> {
    if (parts.has('me')) {
      this._cohortsPending = true;
    }
    if (parts.has('space')) {
      this._spaceCheckedAt = Date.now();
    }
    return loadParts(this._client, parts, results => this._deliver(results));
  }

  private _deliver(results: PanelResults): void {
    if (this.isDisposed) {
      return;
    }
    for (const [part, answer] of Object.entries(results) as [PanelPart, Settled<unknown>][]) {
      if (answer.ok) {
        this._loaded.add(part);
      }
    }
    if (results.me) {
      this._showMe(results.me);
    }
    if (results.assessments) {
      this._showAssessmentsAnswer(results.assessments);
    }
    if (results.leaderboard) {
      this._showLeaderboardAnswer(results.leaderboard);
    }
    if (results.space) {
      this._showSpaceAnswer(results.space);
    }
    if (results.problems || results.tracks || results.progress) {
      this._showList(results);
    }
  }

  /**
   * Draws the list from the last good problems, tracks and progress. A failed call
   * keeps what it would have replaced; a busy one says nothing more (the wait line does).
   */
  private _showList(results: PanelResults): void {
    const { problems, tracks, progress } = results;
    const data = this._data;
    if (problems?.ok) {
      data.problems = problems.value;
    }
    if (tracks?.ok) {
      data.tracks = tracks.value;
    }
    if (progress?.ok) {
      data.progress = progress.value;
    }
    const errors: string[] = [];
    if (problems && !problems.ok && !isBusyError(problems.error)) {
      const text = `Could not load problems: ${describeError(problems.error)}`;
      if (!data.problems) {
        this._showError(text);
        return;
      }
      errors.push(text);
    }
    if (!data.problems) {
      return; // busy: "Loading problems…" stays, and the wait line says when
    }
    if (progress && !progress.ok && !isBusyError(progress.error)) {
      errors.push(`Progress unavailable: ${describeError(progress.error)}`);
    }
    this._render(data.problems, data.tracks ?? null, data.progress ?? null, errors);
  }

  /**
   * Shows the learner's cohorts. Cohorts are a hint, not a task: if the call fails, the
   * panel keeps what it showed, no error. When they arrive after the first choice of
   * open tracks, that choice follows them unless the learner has opened or closed a
   * track since.
   */
  private _showMe(answer: Settled<IPanelData['me']>): void {
    if (!answer.ok && isBusyError(answer.error)) {
      return; // asked again after the wait; the first choice of tracks still waits for them
    }
    this._cohortsPending = false;
    const me = answer.ok ? answer.value : null;
    if (me) {
      this._showCohorts(learnerCohorts(me));
    }
    if (this._choiceAwaitsCohorts) {
      this._choiceAwaitsCohorts = false;
      if (me && this._shown) {
        const { views, progress } = this._shown;
        this._setOpenTracks(initialOpenTracks(views, cohortTracks(this._cohorts), progress));
      }
    }
  }

  /**
   * The learner's assessments (and the attempts they used). If the call fails, the
   * section says so above the last list; a server without assessments (404) hides the
   * section; a busy answer leaves it as it is.
   */
  private _showAssessmentsAnswer(answer: Settled<IAssessment[]>): void {
    let assessments: IAssessment[] | null = null;
    let error: unknown = answer.ok ? null : answer.error;
    if (answer.ok) {
      try {
        assessments = readAssessments(answer.value);
      } catch (reason) {
        error = reason;
      }
    }
    if (assessments) {
      this._assessments = assessments;
      this._clockOffset = clockOffset(assessments, Date.now());
      this._assessmentsError = '';
    } else if (isBusyError(error)) {
      return; // the last list stays (its countdowns too), asked again after the wait
    } else if (error instanceof ApiError && error.status === 404) {
      this._assessments = [];
      this._assessmentsError = '';
    } else {
      // The last list stays (its countdowns too): a failed reload changes no deadline.
      this._assessmentsError = `Could not load your assessments: ${describeError(error)}`;
    }
    this._renderAssessments();
  }

  /**
   * The leaderboards of the learner's classes. A leaderboard is a bonus, not a task:
   * if the call fails (or the server has none, 404), the section is hidden, no error
   * shown; a busy answer leaves it as it is.
   */
  private _showLeaderboardAnswer(answer: Settled<ILeaderboard[]>): void {
    if (!answer.ok && isBusyError(answer.error)) {
      return;
    }
    let boards: ILeaderboard[] = [];
    if (answer.ok) {
      try {
        boards = readLeaderboards(answer.value);
      } catch {
        boards = [];
      }
    }
    this._renderLeaderboard(boards);
  }

  /**
   * The space line. Space is a hint, not a task: if the call fails, or answers numbers
   * that make no sense, the line is hidden rather than an error shown; a busy answer
   * leaves it as it is.
   */
  private _showSpaceAnswer(answer: Settled<IPanelData['space']>): void {
    if (!answer.ok && isBusyError(answer.error)) {
      return;
    }
    let described: ISpaceDescription | null = null;
    if (answer.ok) {
      try {
        described = describeSpace(answer.value);
      } catch {
        described = null;
      }
    }
    this._showSpace(described);
  }

  /** The calm line while a busy answer's wait runs; hidden once the retry got through. */
  private _showWait(seconds: number | null): void {
    if (this.isDisposed) {
      return;
    }
    const line = this._waitLine;
    if (seconds === null) {
      line.node.textContent = '';
      line.hide();
      return;
    }
    line.node.textContent = busyText(seconds);
    line.show();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._stopSpaceTimer();
    // Only while the learner can see it: a hidden panel catches up when shown.
    this._spaceTimer = window.setInterval(() => {
      if (this.isVisible) {
        void this._reloads.request(['space']);
      }
    }, SPACE_REFRESH_MS);
    this._scheduleAssessmentTick();
  }

  protected onBeforeDetach(msg: Message): void {
    this._stopSpaceTimer();
    this._stopAssessmentTimer();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._spaceCheckedAt !== null && Date.now() - this._spaceCheckedAt >= SPACE_REFRESH_MS) {
      void this._reloads.request(['space']);
    }
    this._tickAssessments();
  }

  /** The clock of the grading service (see `clockOffset`). */
  private _now(): number {
    return Date.now() + this._clockOffset;
  }

  /**
   * Draws the assessments section from the last list: each assessment's title and
   * where its window stands, then its problems with the attempts left and an Open
   * button. Hidden when there is nothing to show.
   */
  private _renderAssessments(): void {
    const now = this._now();
    const shown = shownAssessments(this._assessments, now);
    this._assessmentStates = statesAt(this._assessments, now);
    this._shownAssessments = shown.map(a => a.id).join('\n');
    this._whenNodes = new Map();
    const section = this._assessmentsSection;
    if (shown.length === 0 && !this._assessmentsError) {
      section.node.replaceChildren();
      section.hide();
      this._scheduleAssessmentTick();
      return;
    }
    const nodes: HTMLElement[] = [element('h2', 'jp-CodeRunner-assessmentsHeading', 'Assessments')];
    if (this._assessmentsError) {
      nodes.push(element('div', 'jp-CodeRunner-error', this._assessmentsError));
    }
    for (const assessment of shown) {
      nodes.push(this._renderAssessment(assessment, now));
    }
    section.node.replaceChildren(...nodes);
    section.show();
    this._scheduleAssessmentTick();
  }

  private _renderAssessment(assessment: IAssessment, now: number): HTMLElement {
    const described = describeAssessment(assessment, now);
    const block = element('div', 'jp-CodeRunner-assessment');
    block.classList.add(`jp-mod-${described.state}`);
    block.dataset.assessmentId = assessment.id;

    const when = element('span', 'jp-CodeRunner-assessmentWhen', described.when);
    this._whenNodes.set(assessment.id, when);
    const title = element('h3', 'jp-CodeRunner-assessmentTitle');
    title.append(element('span', 'jp-CodeRunner-assessmentName', assessment.title), ' — ', when);
    block.appendChild(title);

    const list = element('ul', 'jp-CodeRunner-problemList');
    for (const problemId of assessment.problems) {
      const item = element('li', 'jp-CodeRunner-problem');
      item.dataset.problemId = problemId;
      const problemTitle = this._problemTitles.get(problemId) ?? problemId;
      const name = element('span', 'jp-CodeRunner-problemTitle', problemTitle);
      name.title = problemTitle;
      item.appendChild(name);
      if (described.state !== 'closed') {
        const left = attemptsLeft(assessment, problemId);
        const attempts = element('span', 'jp-CodeRunner-attemptsLeft', attemptsLeftText(left));
        attempts.classList.toggle('jp-mod-none', left === 0);
        item.appendChild(attempts);
      }
      item.appendChild(this._openButton(problemId, problemTitle, item));
      list.appendChild(item);
    }
    block.appendChild(list);
    return block;
  }

  /**
   * Draws the leaderboard section: under its heading, each board's class name (a
   * toggle; a board the learner closed stays closed for this session), its rows and,
   * when the learner is further down, their place. Hidden without boards; left alone
   * when nothing changed (so focus and screen readers are not disturbed).
   */
  private _renderLeaderboard(boards: ILeaderboard[]): void {
    const section = this._leaderboardSection;
    const shown = JSON.stringify(boards);
    if (shown === this._leaderboardShown) {
      return;
    }
    this._leaderboardShown = shown;
    if (boards.length === 0) {
      section.node.replaceChildren();
      section.hide();
      return;
    }
    section.node.replaceChildren(
      element('h2', 'jp-CodeRunner-leaderboardHeading', LEADERBOARD_HEADING),
      ...boards.map(board => this._renderBoard(board))
    );
    section.show();
  }

  private _renderBoard(board: ILeaderboard): HTMLElement {
    const block = element('div', 'jp-CodeRunner-leaderboardBoard');
    block.dataset.cohort = board.cohort;
    const body = element('div', 'jp-CodeRunner-leaderboardBody');
    body.id = `jp-CodeRunner-leaderboard-${++boardIds}`;

    const toggle = element('button', 'jp-CodeRunner-leaderboardToggle');
    toggle.type = 'button';
    toggle.setAttribute('aria-controls', body.id);
    toggle.append(
      caretRightIcon.element({ tag: 'span', className: 'jp-CodeRunner-caret' }),
      element('span', 'jp-CodeRunner-leaderboardClass', board.display_name)
    );
    const title = element('h3', 'jp-CodeRunner-leaderboardTitle');
    title.appendChild(toggle);
    block.append(title, body);
    const setOpen = (open: boolean) => {
      toggle.setAttribute('aria-expanded', String(open));
      body.hidden = !open;
    };
    setOpen(!this._closedBoards.has(board.cohort));
    toggle.addEventListener('click', () => {
      const open = body.hidden;
      if (open) {
        this._closedBoards.delete(board.cohort);
      } else {
        this._closedBoards.add(board.cohort);
      }
      setOpen(open);
    });

    if (board.rows.length > 0) {
      const list = element('ol', 'jp-CodeRunner-leaderboardRows');
      for (const row of board.rows) {
        list.appendChild(renderLeaderboardRow(row));
      }
      body.appendChild(list);
    } else {
      body.appendChild(element('p', 'jp-CodeRunner-leaderboardEmpty', EMPTY_BOARD_TEXT));
    }
    if (board.me && showsYouLine(board)) {
      body.appendChild(element('p', 'jp-CodeRunner-leaderboardMe', youText(board.me)));
    }
    return block;
  }

  /**
   * Brings the assessments section up to date with the clock: the countdowns in
   * place, everything when an assessment opened, closed or left the list, and then a
   * reload as well (attempts, and the service's word on the change).
   */
  private _tickAssessments(): void {
    if (!this.isVisible) {
      this._scheduleAssessmentTick(); // a hidden panel catches up when shown
      return;
    }
    const now = this._now();
    const changed = statesChanged(this._assessmentStates, statesAt(this._assessments, now));
    const shown = shownAssessments(this._assessments, now);
    if (changed || shown.map(a => a.id).join('\n') !== this._shownAssessments) {
      this._renderAssessments();
      if (changed) {
        void this._reloads.request(['assessments']);
      }
      return;
    }
    for (const assessment of shown) {
      const node = this._whenNodes.get(assessment.id);
      const when = describeAssessment(assessment, now).when;
      if (node && node.textContent !== when) {
        node.textContent = when;
      }
    }
    this._scheduleAssessmentTick();
  }

  /** Looks again in 30 s, or just after the next assessment opens or closes. */
  private _scheduleAssessmentTick(): void {
    this._stopAssessmentTimer();
    if (!this.isAttached || this.isDisposed) {
      return;
    }
    this._assessmentTimer = window.setTimeout(
      () => {
        this._assessmentTimer = null;
        this._tickAssessments();
      },
      nextTick(this._assessments, this._now())
    );
  }

  private _stopAssessmentTimer(): void {
    if (this._assessmentTimer !== null) {
      window.clearTimeout(this._assessmentTimer);
      this._assessmentTimer = null;
    }
  }

  private _stopSpaceTimer(): void {
    if (this._spaceTimer !== null) {
      window.clearInterval(this._spaceTimer);
      this._spaceTimer = null;
    }
  }

  /** The line, rewritten only when it changes (screen readers announce changes). */
  private _showSpace(described: ISpaceDescription | null): void {
    const line = this._space;
    if (!described) {
      line.hide();
      this._spaceShown = '';
      return;
    }
    const shown = JSON.stringify(described);
    if (shown !== this._spaceShown) {
      this._spaceShown = shown;
      const nodes: HTMLElement[] = [element('span', 'jp-CodeRunner-spaceText', described.text)];
      if (described.hint) {
        nodes.push(element('span', 'jp-CodeRunner-spaceHint', described.hint));
      }
      line.node.replaceChildren(...nodes);
      line.node.title = described.title;
      line.node.dataset.level = described.level;
      line.toggleClass('jp-mod-low', described.level === 'low');
      line.toggleClass('jp-mod-full', described.level === 'full');
    }
    line.show();
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

  /** The cohort line and the tracks' "Your class" marks, for these cohorts. */
  private _showCohorts(cohorts: ICohort[]): void {
    this._cohorts = cohorts;
    const line = cohortLine(cohorts);
    const node = this._cohortLine.node;
    if (node.textContent !== line) {
      node.textContent = line;
    }
    node.title = cohorts.length > 1 ? 'Your classes' : 'Your class';
    this._cohortLine.setHidden(!line);
    for (const section of this._trackSections()) {
      markClassTrack(section, classTrackTitle(cohorts, section.dataset.trackId ?? ''));
    }
    this._renderIntro();
  }

  /** Expands exactly these tracks, in place. */
  private _setOpenTracks(ids: string[]): void {
    this._openTracks = new Set(ids);
    for (const section of this._trackSections()) {
      setTrackOpen(section, this._openTracks.has(section.dataset.trackId ?? ''));
    }
  }

  private _trackSections(): HTMLElement[] {
    return Array.from(this._body.node.querySelectorAll<HTMLElement>('.jp-CodeRunner-track'));
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
    tracks: ITrack[] | null,
    progress: IProgress | null,
    errors: string[]
  ): void {
    const focus = focusKey(this.node);
    const node = this._body.node;
    node.replaceChildren();
    const byProblem = new Map<string, IProblemProgress>(
      (progress?.problems ?? []).map(p => [p.problem_id, p])
    );
    this._next = recommendedProblem(progress);

    for (const error of errors) {
      node.appendChild(element('div', 'jp-CodeRunner-error', error));
    }
    if (problems.length === 0) {
      this._shown = null;
      this._renderIntro();
      node.appendChild(element('p', 'jp-CodeRunner-status', 'No problems published yet.'));
      return;
    }

    const titles = new Map(problems.map(p => [p.id, p.title]));
    if (JSON.stringify([...titles]) !== JSON.stringify([...this._problemTitles])) {
      this._problemTitles = titles;
      this._renderAssessments(); // its problems by their titles
    }

    const views = buildTracks(problems, tracks, progress);
    this._shown = { views, progress };
    if (!this._openTracks) {
      this._openTracks = new Set(initialOpenTracks(views, cohortTracks(this._cohorts), progress));
      if (progress?.next) {
        this._openTracks.add(progress.next.track); // where "Try this next" is
      }
      // This load's cohorts are not known yet: they may still change the choice.
      this._choiceAwaitsCohorts = this._cohortsPending;
    }
    for (const track of views) {
      node.appendChild(this._renderTrack(track, byProblem));
    }
    this._renderIntro();
    restoreFocus(this.node, focus);
  }

  /**
   * The top of the panel: the guide of the learner's track greets them, then the
   * summary line ("12 solved · 85 points · 🔥 3-day streak"), and "Start here" for a
   * learner who has tried nothing yet, else the recommended next problem.
   */
  private _renderIntro(): void {
    const focus = focusKey(this._intro.node);
    const shown = this._shown;
    if (!shown) {
      this._intro.node.replaceChildren();
      this._intro.hide();
      return;
    }
    const { views, progress } = shown;
    const track = learnerTrack(views, cohortTracks(this._cohorts), progress);
    const nodes: HTMLElement[] = [];
    const guide = track?.guide;
    if (guide) {
      const line = element('p', 'jp-CodeRunner-guide');
      line.dataset.cr = 'guide';
      const emoji = element('span', 'jp-CodeRunner-guideEmoji', guide.emoji);
      emoji.setAttribute('aria-hidden', 'true');
      line.append(
        emoji,
        element('strong', 'jp-CodeRunner-guideName', `${guide.name}:`),
        ` ${guide.greeting}`
      );
      nodes.push(line);
    }
    if (progress) {
      const summary = element('p', 'jp-CodeRunner-summary', summaryText(progress));
      summary.dataset.cr = 'summary';
      nodes.push(summary);
      const nudge = streakNudge(progress);
      if (nudge) {
        nodes.push(element('p', 'jp-CodeRunner-streakNudge', nudge));
      }
    }
    const first = track ? firstProblem(track) : null;
    if (isFirstTime(progress) && track && first) {
      const box = element('div', 'jp-CodeRunner-startHere');
      box.dataset.cr = 'start-here';
      box.append(
        element('h3', 'jp-CodeRunner-startHereTitle', 'Start here'),
        element(
          'p',
          'jp-CodeRunner-startHereText',
          track.startHere || 'Open your first problem, read it, write your code, then press Check.'
        )
      );
      const open = this._openButton(first.id, first.title, box, `Open ${first.title}`);
      open.dataset.cr = 'start-here-button';
      box.appendChild(open);
      nodes.push(box);
    } else if (progress?.next) {
      const next = progress.next;
      const box = element('div', 'jp-CodeRunner-nextLine');
      box.append(
        element('span', 'jp-CodeRunner-nextLabel', `⭐ ${NEXT_LABEL}:`),
        ' ',
        element('span', 'jp-CodeRunner-nextTitle', next.title)
      );
      const open = this._openButton(next.problem_id, next.title, box);
      open.dataset.cr = 'next-open-button';
      box.appendChild(open);
      nodes.push(box);
    }
    this._intro.node.replaceChildren(...nodes);
    this._intro.setHidden(nodes.length === 0);
    restoreFocus(this._intro.node, focus);
  }

  private _renderTrack(track: ITrackView, byProblem: Map<string, IProblemProgress>): HTMLElement {
    const section = element('section', 'jp-CodeRunner-track');
    section.dataset.trackId = track.id;
    const body = element('div', 'jp-CodeRunner-trackBody');
    const all = track.levels.flatMap(l => l.problems);
    const solved = all.filter(p => byProblem.get(p.id)?.solved).length;

    const toggle = element('button', 'jp-CodeRunner-trackToggle');
    toggle.type = 'button';
    toggle.title = track.description ? `${track.title}: ${track.description}` : track.title;
    toggle.dataset.cr = 'track-toggle';
    toggle.dataset.id = track.id;
    toggle.append(
      caretRightIcon.element({ tag: 'span', className: 'jp-CodeRunner-caret' }),
      element('span', 'jp-CodeRunner-trackName', track.title),
      element('span', 'jp-CodeRunner-trackCount', `${solved}/${all.length}`)
    );
    const heading = element('h2', 'jp-CodeRunner-trackTitle');
    heading.appendChild(toggle);
    section.append(heading, body);
    markClassTrack(section, classTrackTitle(this._cohorts, track.id));
    setTrackOpen(section, this._openTracks?.has(track.id) ?? false);
    toggle.addEventListener('click', () => {
      const open = body.hidden;
      if (open) {
        this._openTracks?.add(track.id);
      } else {
        this._openTracks?.delete(track.id);
      }
      this._choiceAwaitsCohorts = false; // the learner's choice from now on
      setTrackOpen(section, open);
    });

    for (const level of track.levels) {
      const title = `Level ${level.level}` + (level.title ? ` · ${level.title}` : '');
      body.appendChild(element('h3', 'jp-CodeRunner-levelTitle', title));
      if (level.locked) {
        const lock = element('p', 'jp-CodeRunner-locked');
        lock.dataset.cr = 'locked-rule';
        lock.append(
          lockIcon.element({ tag: 'span', className: 'jp-CodeRunner-lockIcon' }),
          level.rule ||
            (level.previous !== null
              ? `Locked: solve more of level ${level.previous} to open it.`
              : 'Locked.')
        );
        body.appendChild(lock);
      }
      const list = element('ul', 'jp-CodeRunner-problemList');
      list.classList.toggle('jp-mod-locked', level.locked);
      for (const problem of level.problems) {
        list.appendChild(this._renderProblem(problem, byProblem.get(problem.id), level.locked));
      }
      body.appendChild(list);
    }
    return section;
  }

  private _renderProblem(
    problem: IProblemSummary,
    progress: IProblemProgress | undefined,
    locked: boolean
  ): HTMLElement {
    const item = element('li', 'jp-CodeRunner-problem');
    item.dataset.problemId = problem.id;
    const state = problemState(progress, locked);
    item.dataset.state = state;
    item.classList.add(`jp-mod-${state}`);
    const words = STATE_WORDS[state];

    const icon = element('span', 'jp-CodeRunner-stateIcon', words.icon);
    icon.setAttribute('aria-hidden', 'true');
    item.appendChild(icon);

    const main = element('div', 'jp-CodeRunner-problemMain');
    const title = element('span', 'jp-CodeRunner-problemTitle', problem.title);
    title.title = problem.title;
    main.appendChild(title);
    const meta = element('span', 'jp-CodeRunner-problemMeta');
    const stateText = element('span', 'jp-CodeRunner-stateText', words.text);
    stateText.dataset.cr = 'problem-state';
    const points =
      progress && progress.attempts > 0
        ? `${formatScore(progress.best_score, progress.max_score)} points`
        : `${formatPoints(problem.points)} points`;
    meta.append(stateText, ' · ', element('span', 'jp-CodeRunner-points', points));
    main.appendChild(meta);
    if (problem.id === this._next && state !== 'locked') {
      item.classList.add('jp-mod-next');
      item.dataset.cr = 'next-problem';
      main.appendChild(element('span', 'jp-CodeRunner-nextBadge', `⭐ ${NEXT_LABEL}`));
    }
    item.appendChild(main);

    if (!locked) {
      item.appendChild(this._openButton(problem.id, problem.title, item));
    }
    return item;
  }

  /** A problem row's Open button; a failure to open shows in `item`. */
  private _openButton(
    problemId: string,
    title: string,
    item: HTMLElement,
    label = 'Open'
  ): HTMLButtonElement {
    const open = element('button', 'jp-Button jp-mod-styled jp-mod-reject', label);
    open.classList.add('jp-CodeRunner-open');
    open.type = 'button';
    open.title = `Open ${title}`;
    open.setAttribute('aria-label', `Open ${title}`);
    open.dataset.cr = 'open-button';
    open.dataset.id = problemId;
    open.addEventListener('click', () => void this._open(problemId, item, open));
    return open;
  }

  private async _open(
    problemId: string,
    item: HTMLElement,
    button: HTMLButtonElement
  ): Promise<void> {
    button.disabled = true;
    item.querySelector('.jp-CodeRunner-error')?.remove();
    try {
      const opened = await this._client.openProblem(problemId, this._format);
      this._openPath(opened.path);
    } catch (error) {
      item.appendChild(
        element('div', 'jp-CodeRunner-error', `Could not open: ${describeError(error)}`)
      );
    } finally {
      button.disabled = false;
    }
  }

  /** A verdict: progress, assessments and leaderboards again, one reload for a burst. */
  private _onSubmissionFinished(): void {
    void this._reloads.request(partsFor('submission', this._loaded));
  }

  /** A practice check: it changed nothing the panel shows, so nothing is asked for. */
  private _onCheckFinished(): void {
    void this._reloads.request(partsFor('check', this._loaded));
  }

  private _client: ICodeRunnerClient;
  private _intro: Widget;
  /** The recommended problem's id (progress `next`), highlighted in the list. */
  private _next: string | null = null;
  private _openPath: (path: string) => void;
  private _body: Widget;
  private _space: Widget;
  /** When the space was last asked for; null before the first time. */
  private _spaceCheckedAt: number | null = null;
  private _spaceTimer: number | null = null;
  /** The description on show, to leave the line alone when nothing changed. */
  private _spaceShown = '';
  private _format: ProblemFormat = 'notebook';
  /** Every load of the panel goes through here (coalescing, waits after busy answers). */
  private _reloads: ReloadQueue<PanelPart>;
  /** Parts that answered at least once. */
  private _loaded = new Set<PanelPart>();
  /** The last good problems, tracks and progress, the list is drawn from. */
  private _data: Partial<Pick<IPanelData, 'problems' | 'tracks' | 'progress'>> = {};
  private _waitLine: Widget;
  /** Ids of the expanded tracks; chosen on the first render, then the learner's. */
  private _openTracks: Set<string> | null = null;
  /**
   * The first choice of open tracks was made before the learner's cohorts were known,
   * and the learner has not opened or closed a track since.
   */
  private _choiceAwaitsCohorts = false;
  /** The learner's cohorts, from the last answer of the server; none before one. */
  private _cohorts: ICohort[] = [];
  /** The cohorts of the load in flight have not arrived yet. */
  private _cohortsPending = false;
  private _cohortLine: Widget;
  /** What the last render showed, to choose the open tracks again in place. */
  private _shown: { views: ITrackView[]; progress: IProgress | null } | null = null;
  private _assessmentsSection: Widget;
  /** The learner's assessments from the last answer; none before one. */
  private _assessments: IAssessment[] = [];
  /** Why the last answer failed; '' when it did not. */
  private _assessmentsError = '';
  /** How far the grading service's clock is ahead of this computer's, in ms. */
  private _clockOffset = 0;
  /** Each assessment's state when the section was drawn, by id. */
  private _assessmentStates = new Map<string, AssessmentState>();
  /** The ids of the assessments drawn, in order, one a line. */
  private _shownAssessments = '';
  /** Each drawn assessment's countdown, by id, rewritten in place. */
  private _whenNodes = new Map<string, HTMLElement>();
  private _assessmentTimer: number | null = null;
  /** Problem titles by id, for the assessments' problems; ids until problems load. */
  private _problemTitles = new Map<string, string>();
  private _leaderboardSection: Widget;
  /** The boards on show (as JSON), to leave the section alone when nothing changed. */
  private _leaderboardShown = '';
  /** Cohorts whose board the learner closed; the others are open. */
  private _closedBoards = new Set<string>();
}

/** One row of a leaderboard: place, name, points and a streak of two days or more. */
function renderLeaderboardRow(row: ILeaderboardRow): HTMLElement {
  const item = element('li', 'jp-CodeRunner-leaderboardRow');
  item.append(
    element('span', 'jp-CodeRunner-leaderboardRank', ordinal(row.rank)),
    element('span', 'jp-CodeRunner-leaderboardName', row.name),
    element('span', 'jp-CodeRunner-leaderboardPoints', pointsText(row.points))
  );
  const streak = streakText(row.streak);
  if (streak) {
    item.appendChild(element('span', 'jp-CodeRunner-leaderboardStreak', streak));
  }
  if (row.me) {
    item.classList.add('jp-mod-me');
    item.setAttribute('aria-current', 'true');
    item.title = 'You';
  }
  return item;
}

/** Opens or closes a track section rendered by the panel. */
function setTrackOpen(section: HTMLElement, open: boolean): void {
  const toggle = section.querySelector('.jp-CodeRunner-trackToggle');
  const body = section.querySelector<HTMLElement>('.jp-CodeRunner-trackBody');
  toggle?.setAttribute('aria-expanded', String(open));
  if (body) {
    body.hidden = !open;
  }
}

/**
 * Marks a track section "Your class" (with `title` as its tooltip), or removes the
 * mark when `title` is empty.
 */
function markClassTrack(section: HTMLElement, title: string): void {
  const toggle = section.querySelector('.jp-CodeRunner-trackToggle');
  let badge = section.querySelector<HTMLElement>('.jp-CodeRunner-classTrack');
  section.classList.toggle('jp-mod-classTrack', title !== '');
  if (!title || !toggle) {
    badge?.remove();
    return;
  }
  if (!badge) {
    badge = element('span', 'jp-CodeRunner-classTrack', 'Your class');
    toggle.insertBefore(badge, toggle.querySelector('.jp-CodeRunner-trackCount'));
  }
  badge.title = title;
}
