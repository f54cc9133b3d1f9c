-- create-table-no-projection.sql: the access-log table every other query reads.
--
-- GENERATED from the field table (src/parse/fields.ts) by src/athena/ddl.ts; do not edit by hand
-- (`npx tsx src/athena/ddl.ts` rewrites it, a test checks it is up to date).
--
-- One row per log line, whatever the layout (2016 to 2026: 20 to 34 fields, lists bare or quoted,
-- unknown trailing fields in `trailing_fields`). `-` is NULL. A line that is not an access-log entry
-- is kept whole in `unparsed_line` with every other column NULL: malformed-lines.sql lists them.
-- Column names are the `parse` command's (Athena's own table calls error_reason lambda_error_reason).
--
-- Partition `day` is the day folder, yyyy/MM/dd: the DELIVERY date of the files in it, so a request
-- logged just before midnight can sit in the next day's folder; the other queries read one folder more.
-- Without partition projection: add each day with
--   ALTER TABLE <database>.<table> ADD PARTITION (day = '2026/03/14')
--     LOCATION 's3://<bucket>/…/AWSLogs/<account>/elasticloadbalancing/<region>/2026/03/14/';
--
-- Parameters:
--   :database           Glue database (create it first: CREATE DATABASE alb_logs)
--   :table              table name
--   :location           s3://<bucket>[/<prefix>]/AWSLogs/<account>/elasticloadbalancing/<region>/
--
-- @kind ddl
-- @param database identifier
-- @param table identifier
-- @param location s3prefix

CREATE EXTERNAL TABLE IF NOT EXISTS :database.:table (
  `type` string,
  `time` string,
  `elb` string,
  `client_ip` string,
  `client_port` int,
  `target_ip` string,
  `target_port` int,
  `request_processing_time` double,
  `target_processing_time` double,
  `response_processing_time` double,
  `elb_status_code` bigint,
  `target_status_code` bigint,
  `received_bytes` bigint,
  `sent_bytes` bigint,
  `request_verb` string,
  `request_url` string,
  `request_proto` string,
  `user_agent` string,
  `ssl_cipher` string,
  `ssl_protocol` string,
  `target_group_arn` string,
  `trace_id` string,
  `domain_name` string,
  `chosen_cert_arn` string,
  `matched_rule_priority` bigint,
  `request_creation_time` string,
  `actions_executed` string,
  `redirect_url` string,
  `error_reason` string,
  `target_port_list` string,
  `target_status_code_list` string,
  `classification` string,
  `classification_reason` string,
  `conn_trace_id` string,
  `transformed_host` string,
  `transformed_uri` string,
  `request_transform_status` string,
  `ip_address` string,
  `trailing_fields` string,
  `unparsed_line` string
)
PARTITIONED BY (`day` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
WITH SERDEPROPERTIES (
  'input.regex' = '(?:([a-z0-9]{1,16}) ([0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?Z) (?:-|"-"|([^ "][^ ]*)) (?:-|"-"|\\[?([^ "\\[][^ ]*?)\\]?:(0*(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))) (?:-|"-"|\\[?([^ "\\[][^ ]*?)\\]?:(0*(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))) (?:-|"-"|(-?[0-9]+(?:\\.[0-9]+)?)) (?:-|"-"|(-?[0-9]+(?:\\.[0-9]+)?)) (?:-|"-"|(-?[0-9]+(?:\\.[0-9]+)?)) (?:-|"-"|(-?[0-9]{1,15})) (?:-|"-"|(-?[0-9]{1,15})) (?:-|"-"|(-?[0-9]{1,15})) (?:-|"-"|(-?[0-9]{1,15})) (?:-|"(?:-|([^ "\\\\]*))(?: (?:-|([^"\\\\]*?(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*?)*?))(?: (?:-|([^ "\\\\]+)))?)?? *") (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)") (?:-|"-"|([^ "][^ ]*)) (?:-|"-"|([^ "][^ ]*)) (?:-|"-"|([^ "][^ ]*)) (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"?( *[^ "]*)"?)(?: (?:-|"-"|"?([^ "]*)"?)(?: (?:-|"-"|(-?[0-9]{1,15}))(?: (?:-|"-"|([0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?Z))(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"?([^ "]*:[0-9]+(?: [^ "]*:[0-9]+)*)"?)(?: (?:-|"-"|"?([0-9]+(?: [0-9]+)*)"?)(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|([^ "][^ ]*))(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|"([^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*)")(?: (?:-|"-"|([^ "][^ ]*))(?: ((?:"[^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*"|[^ "][^ ]*)(?: (?:"[^"\\\\]*(?:(?:"*\\\\+[^\\\\]|"+[^ "\\\\])[^"\\\\]*)*"*"|[^ "][^ ]*))*))?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)? *|[ \\t\\r]*|([\\s\\S]*))'
)
LOCATION :location
