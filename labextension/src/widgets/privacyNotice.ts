import { Dialog } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { UUID } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import type { IPrivacyNotice } from '../records';
import { createMarkdownWidget } from './markdown';

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
 * The notice as a widget (see ``createMarkdownWidget``: Lab's sanitizing Markdown
 * renderer, or a reader that builds text nodes only).
 */
export function createNoticeBody(
  markdown: string,
  rendermime: IRenderMimeRegistry | null
): Promise<Widget> {
  return createMarkdownWidget(markdown, rendermime, 'jp-CodeRunner-privacyText');
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
