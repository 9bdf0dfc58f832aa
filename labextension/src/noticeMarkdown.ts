/**
 * A deliberately small Markdown reader for the privacy notice, used when Lab has no
 * Markdown renderer to lend (see `widgets/privacyNotice.ts`). It knows headings,
 * paragraphs, bulleted and numbered lists, bold, inline code and links, and returns
 * plain data: the widget turns it into elements holding text nodes only, so nothing
 * the server sends is ever parsed as HTML. Anything else shows as the text it is.
 */

/** A run of text inside a block. A link keeps its address to show it as text. */
export interface IInline {
  text: string;
  bold?: boolean;
  code?: boolean;
  href?: string;
}

export type NoticeBlock =
  | { kind: 'heading'; level: number; content: IInline[] }
  | { kind: 'paragraph'; content: IInline[] }
  | { kind: 'list'; ordered: boolean; items: IInline[][] }
  | { kind: 'code'; text: string };

const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^ {0,3}\d{1,9}[.)]\s+(.*)$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
/** A fence opening or closing a code block: three or more backquotes or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `**bold**` / `__bold__`, `` `code` ``, `[text](address)`. */
const INLINE = /(\*\*|__)(.+?)\1|`([^`]+)`|\[([^\]]+)\]\(\s*([^)\s]+)\s*\)/g;

/** The blocks of a Markdown text, in order. */
export function parseNoticeMarkdown(source: string): NoticeBlock[] {
  const blocks: NoticeBlock[] = [];
  /** Lines of the paragraph or list item being read, joined when it ends. */
  let lines: string[] = [];
  /** The list being read (a holder: the closures below replace it). */
  const open: { list: { ordered: boolean; items: IInline[][] } | null } = { list: null };

  const endLines = () => {
    if (lines.length > 0) {
      const content = parseInline(lines.join(' '));
      if (open.list) {
        open.list.items.push(content);
      } else {
        blocks.push({ kind: 'paragraph', content });
      }
    }
    lines = [];
  };
  const endBlock = () => {
    endLines();
    if (open.list) {
      blocks.push({ kind: 'list', ...open.list });
      open.list = null;
    }
  };

  /** The fence of the code block being read, and its lines. */
  let fence: string | null = null;
  let code: string[] = [];
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    if (fence !== null) {
      const close = FENCE.exec(raw);
      if (
        close &&
        close[1][0] === fence[0] &&
        close[1].length >= fence.length &&
        raw.trim() === close[1]
      ) {
        blocks.push({ kind: 'code', text: code.join('\n') });
        fence = null;
        code = [];
      } else {
        code.push(raw);
      }
      continue;
    }
    const opening = FENCE.exec(raw);
    if (opening) {
      endBlock();
      fence = opening[1];
      continue;
    }
    const line = raw.trim();
    if (line === '' || RULE.test(raw)) {
      endBlock();
      continue;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      endBlock();
      const content = parseInline(heading[2] ?? '');
      if (content.length > 0) {
        blocks.push({ kind: 'heading', level: heading[1].length, content });
      }
      continue;
    }
    const bullet = BULLET.exec(raw);
    const numbered = bullet ? null : NUMBERED.exec(raw);
    const item = bullet ?? numbered;
    if (item) {
      const ordered = numbered !== null;
      if (open.list?.ordered === ordered) {
        endLines();
      } else {
        endBlock();
        open.list = { ordered, items: [] };
      }
      lines.push(item[1].trim());
      continue;
    }
    // Anything else continues the paragraph or list item being read.
    lines.push(line);
  }
  if (fence !== null) {
    blocks.push({ kind: 'code', text: code.join('\n') });
  }
  endBlock();
  return blocks;
}

/** The runs of one block's text; a lone `**` or backquote stays as it is. */
export function parseInline(text: string): IInline[] {
  const runs: IInline[] = [];
  const push = (run: IInline) => {
    if (run.text !== '') {
      runs.push(run);
    }
  };
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    push({ text: text.slice(at, match.index) });
    if (match[2] !== undefined) {
      push({ text: match[2], bold: true });
    } else if (match[3] !== undefined) {
      push({ text: match[3], code: true });
    } else {
      push({ text: match[4], href: match[5] });
    }
    at = match.index + match[0].length;
  }
  push({ text: text.slice(at) });
  return runs;
}
