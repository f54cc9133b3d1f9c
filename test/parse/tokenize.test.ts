import { describe, expect, it } from 'vitest';
import { MAX_TOKENS } from '../../src/parse/tokenize.js';
import { tokensOf } from '../support/parseText.js';

interface Row {
  name: string;
  line: string;
  /** Expected tokens; a `"…"` string means the token was quoted (quotes removed in the text). */
  tokens: string[];
}

const q = (text: string): string => `"${text}"`;
const expectTokens = (line: string, expected: string[]): void => {
  const { status, tokens } = tokensOf(line);
  expect(status).toBe('ok');
  expect(tokens.map((t) => (t.quoted ? q(t.text) : t.text))).toEqual(expected);
};

// Rules: domain.md §2 and docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
const passing: Row[] = [
  { name: 'bare tokens separated by single spaces', line: 'http 2018-07-02T22:23:00.186641Z app/a/b', tokens: ['http', '2018-07-02T22:23:00.186641Z', 'app/a/b'] },
  { name: 'quoted token keeps its raw spaces', line: 'a "GET http://h:80/x y HTTP/1.1" b', tokens: ['a', q('GET http://h:80/x y HTTP/1.1'), 'b'] },
  { name: 'quoted dash is a quoted token "-"', line: 'a "-" -', tokens: ['a', q('-'), '-'] },
  { name: 'empty quoted token', line: 'a "" b', tokens: ['a', q(''), 'b'] },
  { name: '\\x22 and \\x5C inside quotes are kept raw', line: 'a "say \\x22hi\\x22 \\x5C" b', tokens: ['a', q('say \\x22hi\\x22 \\x5C'), 'b'] },
  { name: 'long \\x00000022 escape is kept raw', line: '"x\\x00000022y" b', tokens: [q('x\\x00000022y'), 'b'] },
  { name: '\\" inside quotes does not end the token', line: 'a "say \\"hi\\" now" b', tokens: ['a', q('say \\"hi\\" now'), 'b'] },
  { name: '\\" right before the closing quote', line: 'a "ends with \\"" b', tokens: ['a', q('ends with \\"'), 'b'] },
  { name: 'quoted token at the end of the line', line: 'a "last one"', tokens: ['a', q('last one')] },
  { name: 'leading space inside quotes (SNI) is kept', line: 'a " some.example.com" b', tokens: ['a', q(' some.example.com'), 'b'] },
  { name: 'trailing spaces are not a token', line: 'a b   ', tokens: ['a', 'b'] },
  { name: 'CR before the newline is not part of the last token', line: 'a "b"\r', tokens: ['a', q('b')] },
  { name: 'trailing space then CR', line: 'a b \r', tokens: ['a', 'b'] },
  { name: 'two spaces make an empty bare token', line: 'a  b', tokens: ['a', '', 'b'] },
  { name: 'non-ASCII bytes are decoded as UTF-8', line: 'a "日本 é" b', tokens: ['a', q('日本 é'), 'b'] },
  { name: 'empty line has no tokens', line: '', tokens: [] },
];

describe('tokenize: passing lines', () => {
  it.each(passing)('$name', ({ line, tokens }) => expectTokens(line, tokens));
});

interface FailingRow {
  name: string;
  line: string;
  /** Tokens read before the unterminated one. */
  before: number;
}

const failing: FailingRow[] = [
  { name: 'quote never closed', line: 'a "b c', before: 1 },
  { name: 'lone quote at the end', line: 'a b "', before: 2 },
  { name: 'closing quote escaped by a backslash', line: 'a "b\\"', before: 1 },
  { name: 'closing quote escaped, more text follows', line: 'a "b\\" c d', before: 1 },
  { name: 'second quoted token never closed', line: 'a "b" "c d e', before: 2 },
  { name: 'unterminated quote then CR', line: 'a "b\r', before: 1 },
  { name: 'unterminated quote then trailing spaces', line: 'a "b   ', before: 1 },
];

describe('tokenize: unterminated quotes', () => {
  it.each(failing)('$name', ({ line, before }) => {
    const { status, tokens } = tokensOf(line);
    expect(status).toBe('unterminated_quote');
    expect(tokens).toHaveLength(before);
  });
});

// AWS writes a quote inside a value as \x22: a bare quote with text after it is a closing quote whose space is missing.
const missingSpace: FailingRow[] = [
  { name: 'text right after a closing quote ("-"1)', line: 'a "-"1 b', before: 1 },
  { name: 'a quote stuck to text inside a value', line: 'a "x"y z" b', before: 1 },
  { name: 'quote closed only by a stuck quote', line: '"a"b', before: 0 },
  { name: 'two quoted tokens with no space between', line: 'a "b""c" d', before: 1 },
  { name: 'stuck quote after escaped ones', line: 'a "say \\"hi\\" x"y b', before: 1 },
];

describe('tokenize: a closing quote with no space after it', () => {
  it.each(missingSpace)('$name', ({ line, before }) => {
    const { status, tokens } = tokensOf(line);
    expect(status).toBe('missing_space');
    expect(tokens).toHaveLength(before);
  });
});

describe('tokenize: more tokens than any layout', () => {
  it('keeps the remainder of a very long line as the last token instead of failing', () => {
    const words = Array.from({ length: MAX_TOKENS + 20 }, (_, i) => `t${i}`);
    const { status, tokens, overflow } = tokensOf(words.join(' '));
    expect(status).toBe('ok');
    expect(overflow).toBe(true);
    expect(tokens).toHaveLength(MAX_TOKENS);
    expect(tokens.slice(0, MAX_TOKENS - 1).map((t) => t.text)).toEqual(words.slice(0, MAX_TOKENS - 1));
    expect(tokens[MAX_TOKENS - 1]!.text).toBe(words.slice(MAX_TOKENS - 1).join(' '));
  });

  it('reads exactly MAX_TOKENS bare tokens one by one', () => {
    const words = Array.from({ length: MAX_TOKENS }, (_, i) => `t${i}`);
    const { tokens } = tokensOf(words.join(' '));
    expect(tokens.map((t) => t.text)).toEqual(words);
  });
});
