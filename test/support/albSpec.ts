/**
 * The ALB access-log format written out by hand for the tests, from AWS's page
 * (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html) and
 * domain.md §2 — deliberately NOT imported from src/parse/fields.ts, so that a mistake in the parser's
 * table shows up as a failing test instead of being copied into the expectation.
 */

/** How a field is written and what the `parse` contract makes of it. */
export type SpecKind =
  | 'word' // type: a lowercase word
  | 'time' // ISO-8601 UTC, output as the logged string
  | 'text' // output as logged, `-` → null
  | 'address' // ip:port → <x>_ip (string) + <x>_port (number)
  | 'seconds' // number, -1 kept
  | 'int' // number
  | 'request'; // "VERB url PROTO" → request_verb, request_url, request_proto

export interface SpecField {
  /** AWS's name for the field. */
  name: string;
  kind: SpecKind;
  /** Written in double quotes by today's ALB. */
  quoted: boolean;
  /** The `parse` output keys this field becomes. */
  columns: string[];
}

const field = (name: string, kind: SpecKind, quoted: boolean, columns: string[] = [name]): SpecField => ({
  name,
  kind,
  quoted,
  columns,
});

export const SPEC: readonly SpecField[] = [
  field('type', 'word', false),
  field('time', 'time', false),
  field('elb', 'text', false),
  field('client:port', 'address', false, ['client_ip', 'client_port']),
  field('target:port', 'address', false, ['target_ip', 'target_port']),
  field('request_processing_time', 'seconds', false),
  field('target_processing_time', 'seconds', false),
  field('response_processing_time', 'seconds', false),
  field('elb_status_code', 'int', false),
  field('target_status_code', 'int', false),
  field('received_bytes', 'int', false),
  field('sent_bytes', 'int', false),
  field('request', 'request', true, ['request_verb', 'request_url', 'request_proto']),
  field('user_agent', 'text', true),
  field('ssl_cipher', 'text', false),
  field('ssl_protocol', 'text', false),
  field('target_group_arn', 'text', false),
  field('trace_id', 'text', true),
  field('domain_name', 'text', true), // bare in 2017–2018 lines
  field('chosen_cert_arn', 'text', true), // bare in 2017–2018 lines
  field('matched_rule_priority', 'int', false),
  field('request_creation_time', 'time', false),
  field('actions_executed', 'text', true),
  field('redirect_url', 'text', true),
  field('error_reason', 'text', true),
  field('target:port_list', 'text', true, ['target_port_list']), // bare in AWS's 2020 examples
  field('target_status_code_list', 'text', true), // bare in AWS's 2020 examples
  field('classification', 'text', true),
  field('classification_reason', 'text', true),
  field('conn_trace_id', 'text', false),
  field('transformed_host', 'text', true),
  field('transformed_uri', 'text', true),
  field('request_transform_status', 'text', true),
  field('ip_address', 'text', false),
];

/** Index in SPEC by AWS field name. */
export const SPEC_INDEX: Readonly<Record<string, number>> = Object.fromEntries(SPEC.map((f, i) => [f.name, i]));

/** Field counts of the layouts AWS has written, oldest first (domain.md §2). */
export const LAYOUTS = {
  // As AWS's Knowledge Center article on keep-alive 502s quotes its line; SNI (October 2017) added two fields.
  2016: 18,
  '2017 (domain_name, chosen_cert_arn)': 20,
  '2018 (rule priority, creation time, actions)': 23,
  '2018 (redirect_url)': 24,
  '2018 (error_reason)': 25,
  '2020 (lists, no classification)': 27,
  '2020 (classification)': 29,
  2024: 30,
  2025: 33,
  2026: 34,
} as const;

/** The `parse` output keys for a line with `fieldCount` fields, in order, before extra/_file/_line. */
export const columnsFor = (fieldCount: number): string[] => SPEC.slice(0, fieldCount).flatMap((f) => f.columns);
