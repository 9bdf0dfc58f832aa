import { parseInline, parseNoticeMarkdown } from '../noticeMarkdown';

describe('parseInline', () => {
  it('splits bold, code and links from plain text', () => {
    expect(parseInline('We keep **your code** and `scores`; see [help](https://x.org/h).')).toEqual(
      [
        { text: 'We keep ' },
        { text: 'your code', bold: true },
        { text: ' and ' },
        { text: 'scores', code: true },
        { text: '; see ' },
        { text: 'help', href: 'https://x.org/h' },
        { text: '.' }
      ]
    );
  });

  it('reads __bold__ too and leaves lone markers as text', () => {
    expect(parseInline('__yes__ 2 ** 3 and a `tick')).toEqual([
      { text: 'yes', bold: true },
      { text: ' 2 ** 3 and a `tick' }
    ]);
  });

  it('keeps markup-looking text as text', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([
      { text: '<img src=x onerror=alert(1)>' }
    ]);
  });
});

describe('parseNoticeMarkdown', () => {
  it('reads headings, paragraphs and both kinds of list', () => {
    const source = [
      '# What we keep',
      '',
      'We keep the code you send',
      'and your **scores**.',
      '',
      '## Who sees it',
      '- you',
      '* your teacher,',
      '  when they look',
      '',
      '1. Ask your teacher.',
      '2) Or your parents.'
    ].join('\r\n');
    expect(parseNoticeMarkdown(source)).toEqual([
      { kind: 'heading', level: 1, content: [{ text: 'What we keep' }] },
      {
        kind: 'paragraph',
        content: [
          { text: 'We keep the code you send and your ' },
          { text: 'scores', bold: true },
          { text: '.' }
        ]
      },
      { kind: 'heading', level: 2, content: [{ text: 'Who sees it' }] },
      {
        kind: 'list',
        ordered: false,
        items: [[{ text: 'you' }], [{ text: 'your teacher, when they look' }]]
      },
      {
        kind: 'list',
        ordered: true,
        items: [[{ text: 'Ask your teacher.' }], [{ text: 'Or your parents.' }]]
      }
    ]);
  });

  it('starts a new list when bullets turn into numbers', () => {
    expect(parseNoticeMarkdown('- a\n1. b').map(b => b.kind)).toEqual(['list', 'list']);
  });

  it('ends a paragraph at a heading and skips rules and empty headings', () => {
    expect(parseNoticeMarkdown('Hello\n### Next ###\n---\n#\nBye')).toEqual([
      { kind: 'paragraph', content: [{ text: 'Hello' }] },
      { kind: 'heading', level: 3, content: [{ text: 'Next' }] },
      { kind: 'paragraph', content: [{ text: 'Bye' }] }
    ]);
  });

  it('does not take a hashtag for a heading', () => {
    expect(parseNoticeMarkdown('#python is fun')).toEqual([
      { kind: 'paragraph', content: [{ text: '#python is fun' }] }
    ]);
  });

  it('is empty for an empty text', () => {
    expect(parseNoticeMarkdown('  \n\n')).toEqual([]);
  });
});

describe('parseNoticeMarkdown: code blocks', () => {
  it('keeps a fenced code block as it is, Markdown-looking lines included', () => {
    expect(
      parseNoticeMarkdown(
        'Try:\n\n```python\nfor i in range(3):\n    print(i)\n# not a heading\n```\nDone.'
      )
    ).toEqual([
      { kind: 'paragraph', content: [{ text: 'Try:' }] },
      { kind: 'code', text: 'for i in range(3):\n    print(i)\n# not a heading' },
      { kind: 'paragraph', content: [{ text: 'Done.' }] }
    ]);
  });

  it('ends an unclosed block with the text', () => {
    expect(parseNoticeMarkdown('~~~\nx = 1\n')).toEqual([{ kind: 'code', text: 'x = 1\n' }]);
  });
});
