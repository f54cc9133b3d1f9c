-- malformed-lines.sql: Which lines in the log folders are not access-log entries?
--
-- AWS's published table turns a line its pattern does not match into a row of NULLs, silently. This
-- table keeps such a line whole in `unparsed_line` instead; this query lists them per file, with a count
-- and one example, so nothing is lost unnoticed. Files that are not access logs but share the folders
-- (connection logs, health-check logs, NLB logs, AWS's test file) are named as such: their lines are
-- expected here. Malformed lines have no time, so the range limits only the day folders read.
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range whose day folders are read (ISO 8601 or an age such as 6h)
--
-- @kind query
-- @param database identifier
-- @param table identifier
-- @param from timestamp
-- @param to timestamp
SELECT
  "$path" AS file,
  CASE
    WHEN "$path" LIKE '%ELBAccessLogTestFile' THEN 'test_file'
    WHEN "$path" LIKE '%conn_log%' THEN 'connection_log'
    WHEN "$path" LIKE '%health_check_log%' THEN 'health_check_log'
    WHEN "$path" LIKE '%elasticloadbalancing%net.%' THEN 'nlb_log'
    ELSE 'access_log'
  END AS file_kind,
  COUNT(*) AS malformed_lines,
  MIN(unparsed_line) AS example
FROM :database.:table
WHERE "day" BETWEEN :scan_from_day AND :scan_to_day
  AND unparsed_line IS NOT NULL
GROUP BY "$path"
ORDER BY file_kind, file
