/**
 * The one copy of the ALB access-log format. Everything that names a field or a column (the tokenizer's
 * checks, the record type, `parse` output, the CSV header, later the Athena DDL) is derived from this
 * table. Source: docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 * ("Access log entries" and "Syntax"); the `since` years come from the doc's history (see domain.md §2).
 *
 * Kinds:
 * - `text`:    kept as logged (escapes like `\x22` left raw), `-` → null
 * - `int`:     integer (ports, status codes, byte counts, rule priority), `-` → null
 * - `seconds`: processing time in seconds with ms precision, `-1` when AWS could not measure it
 * - `time`:    ISO-8601 UTC with microseconds, kept as a string in output
 * - `address`: `ip:port` split on the LAST colon (IPv6 is logged without brackets), `-` → both null
 * - `request`: `METHOD url PROTO` split at the FIRST and LAST space (the URI may hold raw spaces)
 */
export type FieldKind = 'text' | 'int' | 'seconds' | 'time' | 'address' | 'request';

export interface FieldSpec {
  /** Field name as AWS's documentation table names it. */
  readonly name: string;
  /** Column names in AWS's Athena table (the `parse` output keys); more than one when the field splits. */
  readonly columns: readonly string[];
  readonly kind: FieldKind;
  /** Whether AWS writes it in double quotes today (older layouts wrote some of these bare). */
  readonly quoted: boolean;
  /** Year the field first appeared in the log. */
  readonly since: number;
}

export const ALB_FIELDS = [
  { name: 'type', columns: ['type'], kind: 'text', quoted: false, since: 2016 },
  { name: 'time', columns: ['time'], kind: 'time', quoted: false, since: 2016 },
  { name: 'elb', columns: ['elb'], kind: 'text', quoted: false, since: 2016 },
  { name: 'client:port', columns: ['client_ip', 'client_port'], kind: 'address', quoted: false, since: 2016 },
  { name: 'target:port', columns: ['target_ip', 'target_port'], kind: 'address', quoted: false, since: 2016 },
  { name: 'request_processing_time', columns: ['request_processing_time'], kind: 'seconds', quoted: false, since: 2016 },
  { name: 'target_processing_time', columns: ['target_processing_time'], kind: 'seconds', quoted: false, since: 2016 },
  { name: 'response_processing_time', columns: ['response_processing_time'], kind: 'seconds', quoted: false, since: 2016 },
  { name: 'elb_status_code', columns: ['elb_status_code'], kind: 'int', quoted: false, since: 2016 },
  { name: 'target_status_code', columns: ['target_status_code'], kind: 'int', quoted: false, since: 2016 },
  { name: 'received_bytes', columns: ['received_bytes'], kind: 'int', quoted: false, since: 2016 },
  { name: 'sent_bytes', columns: ['sent_bytes'], kind: 'int', quoted: false, since: 2016 },
  { name: 'request', columns: ['request_verb', 'request_url', 'request_proto'], kind: 'request', quoted: true, since: 2016 },
  { name: 'user_agent', columns: ['user_agent'], kind: 'text', quoted: true, since: 2016 },
  { name: 'ssl_cipher', columns: ['ssl_cipher'], kind: 'text', quoted: false, since: 2016 },
  { name: 'ssl_protocol', columns: ['ssl_protocol'], kind: 'text', quoted: false, since: 2016 },
  { name: 'target_group_arn', columns: ['target_group_arn'], kind: 'text', quoted: false, since: 2016 },
  { name: 'trace_id', columns: ['trace_id'], kind: 'text', quoted: true, since: 2016 },
  // Added with SNI support (October 2017); unquoted until 2018.
  { name: 'domain_name', columns: ['domain_name'], kind: 'text', quoted: true, since: 2017 },
  { name: 'chosen_cert_arn', columns: ['chosen_cert_arn'], kind: 'text', quoted: true, since: 2017 },
  // 0 default rule, -1 rule error, `-` any other error.
  { name: 'matched_rule_priority', columns: ['matched_rule_priority'], kind: 'int', quoted: false, since: 2018 },
  { name: 'request_creation_time', columns: ['request_creation_time'], kind: 'time', quoted: false, since: 2018 },
  { name: 'actions_executed', columns: ['actions_executed'], kind: 'text', quoted: true, since: 2018 },
  { name: 'redirect_url', columns: ['redirect_url'], kind: 'text', quoted: true, since: 2018 },
  { name: 'error_reason', columns: ['error_reason'], kind: 'text', quoted: true, since: 2018 },
  // Unquoted in AWS's 2020 examples, quoted since 2021; may list several items.
  { name: 'target:port_list', columns: ['target_port_list'], kind: 'text', quoted: true, since: 2019 },
  { name: 'target_status_code_list', columns: ['target_status_code_list'], kind: 'text', quoted: true, since: 2019 },
  { name: 'classification', columns: ['classification'], kind: 'text', quoted: true, since: 2020 },
  { name: 'classification_reason', columns: ['classification_reason'], kind: 'text', quoted: true, since: 2020 },
  // Identifies the CLIENT connection, not the target one.
  { name: 'conn_trace_id', columns: ['conn_trace_id'], kind: 'text', quoted: false, since: 2024 },
  { name: 'transformed_host', columns: ['transformed_host'], kind: 'text', quoted: true, since: 2025 },
  { name: 'transformed_uri', columns: ['transformed_uri'], kind: 'text', quoted: true, since: 2025 },
  { name: 'request_transform_status', columns: ['request_transform_status'], kind: 'text', quoted: true, since: 2025 },
  // IP of the ALB node that handled the request.
  { name: 'ip_address', columns: ['ip_address'], kind: 'text', quoted: false, since: 2026 },
] as const satisfies readonly FieldSpec[];

export type AlbField = (typeof ALB_FIELDS)[number];
export type FieldName = AlbField['name'];
export type ColumnName = AlbField['columns'][number];

/** Number of documented fields (34 as of 2026). */
export const FIELD_COUNT = ALB_FIELDS.length;

/**
 * The oldest layout (2016) ends after trace_id: a line with fewer fields is not an ALB entry. Lines of
 * that layout are still quoted today (AWS Knowledge Center's keep-alive 502 article, blog posts of
 * December 2016); domain_name and chosen_cert_arn came later. Derived from the table rather than written as 18.
 */
export const MIN_FIELD_COUNT = ALB_FIELDS.findIndex((f) => f.name === 'trace_id') + 1;

/** Field index by name, e.g. `F.elb_status_code` → 8. Computed once from the table. */
type FieldKey<N extends string> = N extends `${infer A}:${infer B}` ? `${A}_${B}` : N;
export const F = Object.fromEntries(
  ALB_FIELDS.map((field, index) => [field.name.replace(':', '_'), index]),
) as { readonly [K in AlbField as FieldKey<K['name']>]: number };

/** Output columns in order, the `parse` contract: Athena's column names, one field table. */
export const COLUMNS: readonly ColumnName[] = ALB_FIELDS.flatMap((f) => f.columns as readonly ColumnName[]);

type KindValue<K extends FieldKind> = K extends 'int' | 'seconds' ? number | null : string | null;
type FieldOfColumn<C extends string> = AlbField extends infer Fl
  ? Fl extends AlbField ? (C extends Fl['columns'][number] ? Fl : never) : never
  : never;
/** Ports are numbers; everything else follows its field's kind. */
type ColumnValue<C extends string> = FieldOfColumn<C>['kind'] extends 'address'
  ? C extends `${string}_port` ? number | null : string | null
  : KindValue<FieldOfColumn<C>['kind']>;

/**
 * One parsed entry as the `parse` command writes it: every column the line's layout has (a field the
 * layout lacks is absent, not null), then trailing tokens beyond the documented fields, then where it came from.
 */
export type AlbRecord = { -readonly [C in ColumnName]?: ColumnValue<C> } & {
  extra?: string[];
  _file: string;
  _line: number;
};
