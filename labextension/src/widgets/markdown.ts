import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { IInline, NoticeBlock, parseNoticeMarkdown } from '../noticeMarkdown';

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
