import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { parseNoticeMarkdown } from '../noticeMarkdown';
import { renderNoticeBlocks } from './privacyNotice';

/**
 * Markdown from the server (a statement, a cheatsheet) as a widget. Lab's Markdown
 * renderer does it when there is one, the model marked untrusted so its sanitizer
 * cleans any HTML; without one (or if it fails), a small reader builds elements
 * holding text nodes only.
 */
export async function createMarkdownWidget(
  markdown: string,
  rendermime: IRenderMimeRegistry | null,
  className: string
): Promise<Widget> {
  const body = new Panel();
  body.addClass(className);
  if (rendermime) {
    try {
      const renderer = rendermime.createRenderer('text/markdown');
      await renderer.renderModel(
        new MimeModel({ data: { 'text/markdown': markdown }, trusted: false })
      );
      body.addWidget(renderer);
      return body;
    } catch (error) {
      console.warn('Code Runner: showing Markdown as plain text.', error);
    }
  }
  const plain = renderNoticeBlocks(parseNoticeMarkdown(markdown));
  plain.classList.add('jp-CodeRunner-markdownPlain');
  body.addWidget(new Widget({ node: plain }));
  return body;
}
