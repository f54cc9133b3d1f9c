/**
 * Hostile log text: values an attacker can put in a log field (a target group name, a host, a URL, a
 * user agent, a file name) aimed at whatever prints it. Terminal escapes and controls, bidi overrides,
 * HTML and Markdown injection, and sizes no layout expects. Every renderer runs this corpus (text,
 * Markdown, JSON, the Athena tables, and the HTML renderer when it comes); the values are written out by
 * hand, never produced by the code under test.
 */

export interface HostileValue {
  name: string;
  value: string;
}

export const HOSTILE_VALUES: readonly HostileValue[] = [
  { name: 'CSI clear screen', value: 'api\x1b[2J\x1b[H' },
  { name: 'SGR colour reset', value: '\x1b[31mred\x1b[0m-group' },
  { name: 'OSC 52 clipboard write', value: 'grp\x1b]52;c;cm0gLXJmIH4=\x07' },
  { name: 'OSC 8 hyperlink', value: '\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\' },
  { name: 'OSC 8 cut by truncation', value: 'g'.repeat(28) + '\x1b]8;;https://evil.example/\x1b\\tail' },
  { name: 'carriage return overwrite', value: 'api\rOVERWRITTEN ROW' },
  { name: 'NUL, backspace and bell', value: 'a\x00b\x08\x08c\x07' },
  { name: 'newline and tab', value: 'first\nsecond\tthird' },
  { name: 'DEL', value: 'del\x7fete' },
  { name: 'C1 CSI', value: 'c1\u009b2J' },
  { name: 'bidi override', value: 'invoice\u202egpj.exe' },
  { name: 'bidi isolates and marks', value: '\u2066iso\u2069\u200f\u061c' },
  { name: 'line separator', value: 'line\u2028para\u2029end' },
  { name: 'script tag', value: '<script>alert(1)</script>' },
  { name: 'attribute break-out', value: '"><img src=x onerror=alert(1)>' },
  { name: 'javascript URL', value: 'javascript:alert(document.cookie)' },
  { name: 'style close', value: '</style><style>body{display:none}</style>' },
  { name: 'HTML comment and entity', value: '<!-- x --> &amp; &lt;' },
  { name: 'code fence', value: '```' },
  { name: 'code fence then HTML', value: '````\n<b>raw</b>' },
  { name: 'Markdown link', value: '[click](javascript:alert(1))' },
  { name: 'Markdown image', value: '![x](https://evil.example/pixel.png)' },
  { name: 'Markdown emphasis and code', value: '**bold** _it_ `code` ~~gone~~' },
  { name: 'Markdown heading', value: '# not a heading' },
  { name: 'Markdown list', value: '- item' },
  { name: 'table pipes', value: 'a | b | c' },
  { name: 'backslash before pipe', value: 'a\\|b' },
  { name: '100 KB plain', value: 'x'.repeat(100_000) },
  { name: '100 KB of escapes', value: 'A\x1b[2J'.repeat(20_000) },
];

/** Characters no log value may bring to a terminal: C0 (but the renderer's own \n), DEL, C1, bidi, separators. */
export const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
