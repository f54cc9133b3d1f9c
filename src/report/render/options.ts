/** What a renderer may be told besides the report. */
export interface RenderOptions {
  /** ANSI colours (text only); the caller decides from TTY, NO_COLOR and FORCE_COLOR. */
  color: boolean;
}
