/**
 * Every error alb-doctor reports is an AlbDoctorError with a stable SCREAMING_SNAKE `code` and, where it
 * has one, a place (`source`, `line`, `field`) and a `hint` saying what to do. Codes are a public
 * interface: add new ones, never rename.
 */
export const ERROR_CODES = {
  // Malformed lines: counted and reported, the run goes on.
  LINE_TOO_LONG: 'the line is longer than any ALB entry can be',
  UNTERMINATED_QUOTE: 'a quoted field has no closing quote',
  TOO_FEW_FIELDS: 'the line has fewer fields than the oldest ALB layout',
  BAD_TYPE: 'the first field is not a request type (http, https, h2, ws, …)',
  BAD_TIME: 'a time field is not an ISO-8601 UTC timestamp',
  BAD_NUMBER: 'a numeric field is not a number',
  BAD_ADDRESS: 'an address field is not ip:port',
  // Inputs: one sentence each, the rest of the input is still read.
  PATH_NOT_FOUND: 'the path does not exist',
  PATH_UNREADABLE: 'the path cannot be read',
  TRUNCATED_GZIP: 'the gzip stream ends early',
  BAD_GZIP: 'the gzip data is corrupt',
  // Invocation.
  USAGE: 'the command line is not valid',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorPlace {
  /** File (as given or found in a folder), S3 URI, or `-` for stdin. */
  source?: string;
  /** 1-based line number. */
  line?: number;
  /** Field name from the field table. */
  field?: string;
  /** What the user can do about it. */
  hint?: string;
}

export class AlbDoctorError extends Error {
  override readonly name = 'AlbDoctorError';
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    place: ErrorPlace = {},
  ) {
    super(message);
    this.source = place.source;
    this.line = place.line;
    this.field = place.field;
    this.hint = place.hint;
  }

  /** Plain JSON for reports: code, message and place. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.source !== undefined && { source: this.source }),
      ...(this.line !== undefined && { line: this.line }),
      ...(this.field !== undefined && { field: this.field }),
      ...(this.hint !== undefined && { hint: this.hint }),
    };
  }
}

export const isAlbDoctorError = (e: unknown): e is AlbDoctorError => e instanceof AlbDoctorError;
