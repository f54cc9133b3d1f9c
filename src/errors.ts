/**
 * Every error alb-doctor reports is an AlbDoctorError with a stable SCREAMING_SNAKE `code` and, where it
 * has one, a place (`source`, `line`, `field`) and a `hint` saying what to do. Codes are a public
 * interface: add new ones, never rename.
 */
export const ERROR_CODES = {
  // Malformed lines: counted and reported, the run goes on.
  LINE_TOO_LONG: 'the line is longer than any ALB entry can be',
  UNTERMINATED_QUOTE: 'a quoted field has no closing quote',
  MISSING_SPACE: 'a closing quote is followed by text instead of a space: two fields run together',
  TOO_FEW_FIELDS: 'the line has fewer fields than the oldest ALB layout',
  BAD_TYPE: 'the first field is not a request type (http, https, h2, ws, …)',
  BAD_TIME: 'a time field is not an ISO-8601 UTC timestamp',
  BAD_NUMBER: 'a numeric field is not a number',
  BAD_ADDRESS: 'an address field is not ip:port',
  TRUNCATED_LINE: 'the last line was cut off when reading failed',
  // Inputs: one sentence each, the rest of the input is still read.
  PATH_NOT_FOUND: 'the path does not exist',
  PATH_UNREADABLE: 'the path cannot be read',
  TRUNCATED_GZIP: 'the gzip stream ends early',
  BAD_GZIP: 'the gzip data is corrupt',
  // S3: listing failures stop the run (one sentence, exit 1); object failures are reported per object.
  S3_NO_CREDENTIALS: 'no AWS credentials were found',
  S3_CREDENTIALS_REJECTED: 'AWS rejected the credentials (unknown key, bad secret, expired token)',
  S3_ACCESS_DENIED: 'the credentials lack an S3 permission',
  S3_NO_SUCH_BUCKET: 'the bucket does not exist',
  S3_WRONG_REGION: 'the bucket is in another region than the client',
  S3_UNREACHABLE: 'the S3 endpoint cannot be reached',
  S3_LIST_FAILED: 'listing the bucket failed',
  S3_NO_LOGS: 'no access-log object matched the prefix, time range and load balancer',
  S3_OBJECT_GONE: 'the object was deleted or replaced after it was listed',
  S3_READ_FAILED: 'downloading the object failed, after retries',
  // Athena: the query or a service call failed; one sentence with the query id, exit 1.
  ATHENA_REQUEST_FAILED: 'an Athena API call was refused or failed (credentials, permissions, workgroup, region)',
  ATHENA_QUERY_FAILED: 'Athena ran the query and it failed',
  ATHENA_QUERY_CANCELLED: 'the query was cancelled before it finished',
  ATHENA_TIMEOUT: 'the query did not finish within the wait limit',
  ATHENA_RESULT_UNREADABLE: 'the query result could not be read',
  // report --describe: reading the settings in force failed; one sentence each, the report uses what it infers.
  DESCRIBE_NO_CREDENTIALS: 'no AWS credentials were found to describe the load balancer',
  DESCRIBE_CREDENTIALS_REJECTED: 'AWS rejected the credentials used to describe the load balancer',
  DESCRIBE_ACCESS_DENIED: 'the credentials lack an elasticloadbalancing:Describe* permission',
  DESCRIBE_THROTTLED: 'Elastic Load Balancing throttled the describe calls, after retries',
  DESCRIBE_NOT_FOUND: 'the load balancer or target group does not exist (in that account and region)',
  DESCRIBE_NO_ARN: "the load balancer's ARN could not be built from the logs",
  DESCRIBE_FAILED: 'a describe call failed for another reason (network, service error)',
  // DuckDB (athena local): the SQL failed on the local copy of the table.
  LOCAL_QUERY_FAILED: 'the query failed on the local DuckDB table',
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

/** An error as reports and JSON output carry it. */
export interface ErrorJson extends ErrorPlace {
  code: string;
  message: string;
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

  /** The inverse of toJSON, for errors that cross a thread (the S3 reader's). */
  static fromJSON(json: ErrorJson): AlbDoctorError {
    const { code, message, ...place } = json;
    return new AlbDoctorError(code as ErrorCode, message, place);
  }

  /** Plain JSON for reports: code, message and place. */
  toJSON(): ErrorJson {
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
