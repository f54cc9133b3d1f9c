/** How a line of the view is meant to stand out; each renderer maps it to its own colour or weight. */
export type Tone = 'plain' | 'race' | 'warn' | 'ok' | 'dim';
