-- five-xx-by-class.sql: What caused the 5xx and 460 responses, per target group?
--
-- One row per (target group, cause) with its count and its share of the group's requests. The causes are
-- the report's class ids (src/report/model.ts CAUSE_CLASSES): keepalive_race, closed_connection_race,
-- target_connection_error, target_reset, target_5xx, target_timeout, connect_timeout,
-- no_healthy_targets, lambda_error, client_closed, alb_rejected, unclassified. A 502 shaped like a
-- keep-alive race is one only if its idle gap falls in its group's keep-alive band (keepalive-estimate.sql)
-- and it is not part of a deploy's run of refused connections.
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range: ISO 8601 (UTC unless it has an offset) or an age such as 6h;
--                       `to` is exclusive. Only the day folders around it are read.
--   :alb_idle_timeout   optional: the load balancer's idle timeout in seconds (default: inferred from
--                       its 504s, else {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}); it bounds the idle gaps a race can have.
--
-- @kind query
-- @param database identifier
-- @param table identifier
-- @param from timestamp
-- @param to timestamp
-- @param alb_idle_timeout integer {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}..{{MAX_ALB_IDLE_TIMEOUT_SECONDS}} optional
WITH
-- @include _analysis.sql
SELECT
  k_group AS target_group_arn,
  CASE WHEN k_group = '-' THEN '(no target group)'
    ELSE COALESCE(NULLIF(regexp_extract(k_group, 'targetgroup/([^/]+)/', 1), ''), k_group) END AS target_group,
  class,
  responses,
  requests,
  CAST(responses AS double) / requests AS share_of_requests
FROM (
  SELECT k_group, cause AS class, SUM(responses) AS responses, MAX(group_requests) AS requests
  FROM (
    SELECT
      role,
      k_group,
      CASE role WHEN 'class' THEN k_class WHEN 'candidate' THEN class END AS cause,
      CASE role WHEN 'class' THEN n WHEN 'candidate' THEN 1 ELSE 0 END AS responses,
      MAX(CASE WHEN role = 'requests' THEN n END) OVER (PARTITION BY k_group) AS group_requests
    FROM analysis
    WHERE role IN ('requests', 'class', 'candidate')
  ) x
  WHERE role IN ('class', 'candidate')
  GROUP BY k_group, cause
) y
ORDER BY target_group_arn, responses DESC, class
