-- keepalive-estimate.sql: What is each target group's keep-alive timeout T̂, as its races show it?
--
-- Per target group: the idle gaps of its race-shaped 502s outside deploy runs, from MIN_RACE_GAP_MS
-- (analyze/constants.ts) to a little above the ALB idle timeout, grouped on a log scale; the largest
-- group, trimmed of stragglers, is the band. It is a keep-alive signature only if chance cannot explain it (Poisson
-- p < {{MAX_P_VALUE}}, from the requests in the band: race-rate-by-idle-age.sql). T̂ is the band's onset:
-- its lowest gap less the typical spacing just above it. A target should keep idle connections open
-- longer than the ALB idle timeout (≥ idle + {{KEEPALIVE_MARGIN_SECONDS}} s): T̂ says which server default
-- to change (Node.js ≈ 6 s, Gunicorn 2 s, …).
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range: ISO 8601 (UTC unless it has an offset) or an age such as 6h;
--                       `to` is exclusive. Only the day folders around it are read.
--   :alb_idle_timeout   optional: the load balancer's idle timeout in seconds (default: inferred from
--                       its 504s, else {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}).
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
  MAX(CASE WHEN role = 'requests' THEN n END) AS requests,
  SUM(CASE WHEN role = 'candidate' THEN 1 ELSE 0 END) AS race_shaped_502s,
  SUM(CASE WHEN role = 'candidate' AND class = 'keepalive_race' THEN 1 ELSE 0 END) AS keepalive_races,
  -- keepalive.ts: seconds rounded to the millisecond; low is the corrected onset (before the limit at the
  -- lowest race) less the edge correction (≥ MIN_LOW_CORRECTION_MS)
  round(MAX(onset_ms) / 1000e0 * 1000e0) / 1000e0 AS estimated_seconds,
  round((MAX(corrected_onset_ms) - greatest({{MIN_LOW_CORRECTION_MS}}, MAX(edge_correction_ms))) / 1000e0 * 1000e0) / 1000e0 AS low_seconds,
  round(MAX(CASE WHEN has_fit THEN band_top_ms END) / 1000e0 * 1000e0) / 1000e0 AS high_seconds,
  MAX(confidence) AS confidence,
  CASE WHEN MAX(band_races) >= {{MIN_BAND_RACES}} THEN MAX(band_races) ELSE 0 END AS band_races,
  MAX(p_value) AS p_value,
  MAX(idle_timeout_s) AS alb_idle_timeout_seconds,
  MAX(idle_timeout_source) AS alb_idle_timeout_source
FROM analysis
WHERE k_group IS NOT NULL
GROUP BY k_group
ORDER BY keepalive_races DESC, race_shaped_502s DESC, target_group_arn
