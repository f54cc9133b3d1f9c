/**
 * Markup that is safe by construction: `html` is a tagged template whose every interpolated value is
 * escaped unless it is Markup this module made. A string from a log can only ever reach the page as text
 * or as a quoted attribute value, never as a tag, an attribute name, a URL or script. The HTML renderer
 * never puts a log value in a URL (href, src): log URLs are shown as text, so `javascript:` is inert.
 *
 * Hand-written rather than a templating library: the escaping rule is five characters (OWASP's XSS
 * cheat sheet, rule 1 and 2 for quoted attributes), and one `Markup` type is what makes forgetting it a
 * type error; a library (Handlebars, EJS, lit-html's SSR) brings its own syntax and a runtime for that.
 */
import { escapeTerminal } from './escape.js';

const MARKUP = Symbol('markup');

export interface Markup {
  readonly [MARKUP]: true;
  readonly html: string;
}

const markup = (html: string): Markup => ({ [MARKUP]: true, html });
const isMarkup = (value: unknown): value is Markup => typeof value === 'object' && value !== null && MARKUP in value;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for an element's content or a quoted attribute value: controls and bidi characters made visible
 * first (as in every renderer: an override would reorder what the reader sees), then `& < > " '` as
 * entities, so the text can neither open a tag nor close the attribute's quotes.
 */
export const escapeHtml = (text: string): string => escapeTerminal(text).replace(/[&<>"']/g, (char) => ENTITIES[char]!);

export type Interpolation = Markup | string | number | null | undefined | false | readonly Interpolation[];

function toHtml(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (isMarkup(value)) return value.html;
  return escapeHtml(String(value));
}

/** html`<p class="x">${text}</p>`: literal parts as written, every value escaped unless it is Markup. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => (out += toHtml(value) + strings[i + 1]!));
  return markup(out);
}

/** Markup the renderer wrote itself (CSS, a script, a number-only SVG path): never a log value. */
export const trusted = (text: string): Markup => markup(text);
