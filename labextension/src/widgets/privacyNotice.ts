import { Dialog } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { UUID } from '@lumino/coreutils';
import { Panel, Widget } from '@lumino/widgets';

import { IInline, NoticeBlock, parseNoticeMarkdown } from '../noticeMarkdown';
import type { IPrivacyNotice } from '../records';

/** Stable class of the notice dialog (browser tests look for it). */
export const PRIVACY_NOTICE_CLASS = 'jp-CodeRunner-privacyNotice';

export const PRIVACY_NOTICE_TITLE = 'Before you start';
export const PRIVACY_NOTICE_BUTTON = 'I understand';

/**
 * Shows the privacy notice in a modal dialog with one button, "I understand", and
 * no way to close it otherwise (no close button; Escape and clicks outside do
 * nothing). Resolves true once the learner pressed the button.
 *
 * The title is a real `<h2>` that names the dialog (`aria-labelledby`), the notice
 * describes it, and the button takes the focus when the dialog opens.
 */
export async function showPrivacyNotice(
  notice: IPrivacyNotice,
  rendermime: IRenderMimeRegistry | null
): Promise<boolean> {
  const titleId = `jp-CodeRunner-privacyTitle-${UUID.uuid4()}`;
  const body = await createNoticeBody(notice.text, rendermime);
  body.id = `jp-CodeRunner-privacyText-${UUID.uuid4()}`;
  const dialog = new Dialog({
    title: PRIVACY_NOTICE_TITLE,
    body,
    buttons: [Dialog.okButton({ label: PRIVACY_NOTICE_BUTTON })],
    hasClose: false,
    renderer: new NoticeDialogRenderer(titleId)
  });
  dialog.addClass(PRIVACY_NOTICE_CLASS);
  dialog.node.setAttribute('aria-labelledby', titleId);
  dialog.node.setAttribute('aria-describedby', body.id);
  const result = await dialog.launch();
  return result.button.accept;
}

/**
 * The notice as a widget. Lab's Markdown renderer does it when there is one, with
 * the model marked untrusted so its sanitizer cleans the HTML; without one (or if it
 * fails) the notice's own small reader builds elements holding text nodes only.
 */
export async function createNoticeBody(
  markdown: string,
  rendermime: IRenderMimeRegistry | null
): Promise<Widget> {
  const body = new Panel();
  body.addClass('jp-CodeRunner-privacyText');
  if (rendermime) {
    try {
      const renderer = rendermime.createRenderer('text/markdown');
      await renderer.renderModel(
        new MimeModel({ data: { 'text/markdown': markdown }, trusted: false })
      );
      body.addWidget(renderer);
      return body;
    } catch (error) {
      console.warn('Code Runner: showing the privacy notice as plain text.', error);
    }
  }
  body.addWidget(new Widget({ node: renderNoticeBlocks(parseNoticeMarkdown(markdown)) }));
  return body;
}

/**
 * Elements for the blocks of the notice, from text nodes only. Headings sit below
 * the dialog's `<h2>` (`#` becomes `<h3>`); a link shows its text and address.
 */
export function renderNoticeBlocks(blocks: NoticeBlock[]): HTMLElement {
  const root = document.createElement('div');
  root.className = 'jp-CodeRunner-privacyPlain';
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading': {
        const level = Math.min(6, block.level + 2);
        root.appendChild(inlineInto(document.createElement(`h${level}`), block.content));
        break;
      }
      case 'paragraph':
        root.appendChild(inlineInto(document.createElement('p'), block.content));
        break;
      case 'list': {
        const list = document.createElement(block.ordered ? 'ol' : 'ul');
        for (const item of block.items) {
          list.appendChild(inlineInto(document.createElement('li'), item));
        }
        root.appendChild(list);
        break;
      }
      case 'code': {
        const pre = document.createElement('pre');
        const code = document.createElement('code');
        code.textContent = block.text;
        pre.appendChild(code);
        root.appendChild(pre);
        break;
      }
    }
  }
  return root;
}

function inlineInto(parent: HTMLElement, runs: IInline[]): HTMLElement {
  for (const run of runs) {
    let text = run.text;
    if (run.href !== undefined && run.href !== run.text) {
      text = `${run.text} (${run.href})`;
    }
    if (run.bold || run.code) {
      const node = document.createElement(run.bold ? 'strong' : 'code');
      node.textContent = text;
      parent.appendChild(node);
    } else {
      parent.appendChild(document.createTextNode(text));
    }
  }
  return parent;
}

/** Draws the dialog's title as a heading, without the close button. */
class NoticeDialogRenderer extends Dialog.Renderer {
  constructor(private readonly _titleId: string) {
    super();
  }

  createHeader(title: Dialog.Header): Widget {
    const heading = document.createElement('h2');
    heading.id = this._titleId;
    heading.className = 'jp-CodeRunner-privacyTitle';
    heading.textContent = typeof title === 'string' ? title : PRIVACY_NOTICE_TITLE;
    const header = new Widget({ node: heading });
    header.addClass('jp-Dialog-header');
    return header;
  }
}
