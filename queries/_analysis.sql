-- _analysis.sql: the analysis every template but malformed-lines shares (included; not a query itself).
--
-- Defines `analysis`: one row per thing the analysis counts, told apart by `role`:
--   requests    per target group: requests in the range (n)
--   class       per target group and cause: explained entries whose cause is final at once (n)
--   hist        per target group and idle-age bucket: requests measured with an idle gap (n)
--   timeline    per target group and minute: requests (n) and explained entries (other_errors)
--   timeout     per TIMEOUT_RESOLUTION_MS of elapsed time: idle-timeout 504s (n)
--   candidate   one per race-shaped 502, with its idle gap and its final `class`
--   history     the requests before a race-shaped 502 on its pair (for the pool replay)
-- and, on every row, what the analysis concluded: the ALB idle timeout, and per target group the
-- keep-alive fit (T̂, the band of racing idle gaps, its Poisson p-value).
--
-- Same steps as analyze/classify.ts, connections.ts, races.ts, keepalive.ts and albIdle.ts, with the
-- same constants: each threshold is written as its name in double braces, and its value comes from
-- analyze/constants.ts when the template loads (src/athena/sqlConstants.ts), so that no number here
-- can drift from the streaming analysis.
--
-- Built for Athena, whose engine (Trino) runs a WITH query once per reference: every step below reads
-- the step before it once and nothing else but constants, so the logs are read once. What other SQL
-- would do with a join of a table and its own aggregates is done with window functions, and the rows
-- are reduced to the few that matter (counts, the race-shaped 502s and their pairs' recent requests)
-- before the per-group steps.
--
-- Portable between Athena (Trino) and DuckDB: no `/` between integers (Trino truncates, DuckDB does
-- not), doubles written with an exponent (`0.1e0`; Trino reads `0.1` as DECIMAL), NULLIF(regexp_extract(…),
-- '') (no match is NULL in Trino, '' in DuckDB), no GREATEST/LEAST over NULLs (Trino returns NULL,
-- DuckDB ignores them), window orders made total. Times are exact integers in microseconds (`*_us`).
settings AS (
  SELECT
    CAST(:from_us AS bigint) AS from_us,
    CAST(:to_us AS bigint) AS to_us,
    CAST(:context_from_us AS bigint) AS context_from_us,
    CAST(:alb_idle_timeout AS bigint) AS alb_idle_timeout_flag_s
),
digits AS (
  SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t (d)
),
-- Idle-age bucket edges (ms) by histogram.ts's recipe (constants.ts IDLE_BUCKET_*): the small edges, then
-- a number per octave from IDLE_BUCKET_FINE_FROM_MS, then fewer per octave from the coarse start; bucket i
-- is [edge i, edge i+1), the last one open.
idle_buckets AS (
  SELECT bucket, from_ms, LEAD(from_ms) OVER (ORDER BY bucket) AS to_ms
  FROM (
    SELECT
      n AS bucket,
      CASE
        {{IDLE_BUCKET_SMALL_EDGE_CASES}}
        WHEN n < {{IDLE_BUCKET_FIRST_COARSE}}
          THEN round({{IDLE_BUCKET_FINE_FROM_MS}} * power(2e0, (n - {{IDLE_BUCKET_FIRST_FINE}}) / {{IDLE_BUCKET_FINE_PER_OCTAVE}}))
        ELSE round({{IDLE_BUCKET_COARSE_FROM_MS}} * power(2e0, (n - {{IDLE_BUCKET_FIRST_COARSE}}) / {{IDLE_BUCKET_COARSE_PER_OCTAVE}}))
      END AS from_ms
    FROM (SELECT a.d * 100 + b.d * 10 + c.d AS n FROM digits a CROSS JOIN digits b CROSS JOIN digits c) t
    WHERE n < {{IDLE_BUCKET_COUNT}}
  ) e
),
scanned AS (
  SELECT
    "$path" AS path,
    "type",
    "time",
    target_ip,
    target_port,
    request_processing_time AS rpt,
    target_processing_time AS tpt,
    response_processing_time AS rspt,
    elb_status_code,
    target_status_code,
    request_verb,
    target_group_arn,
    actions_executed,
    error_reason,
    ip_address,
    -- ISO-8601 → epoch µs: whole seconds by date_diff, the fraction from its digits (AWS writes six).
    date_diff('second', TIMESTAMP '1970-01-01 00:00:00', try_cast(replace(substr("time", 1, 19), 'T', ' ') AS timestamp)) * 1000000
      + CASE WHEN length("time") > 21
          THEN CAST(rpad(substr("time", 21, least(length("time") - 21, 6)), 6, '0') AS bigint) ELSE 0 END AS time_us,
    date_diff('second', TIMESTAMP '1970-01-01 00:00:00', try_cast(replace(substr(request_creation_time, 1, 19), 'T', ' ') AS timestamp)) * 1000000
      + CASE WHEN length(request_creation_time) > 21
          THEN CAST(rpad(substr(request_creation_time, 21, least(length(request_creation_time) - 21, 6)), 6, '0') AS bigint) ELSE 0 END AS received_us
  FROM :database.:table
  -- The partition first: it is what limits the files read, and the cost.
  WHERE "day" BETWEEN :scan_from_day AND :scan_to_day
    AND "time" IS NOT NULL
),
entries AS (
  SELECT
    path,
    "time",
    time_us,
    received_us,
    time_us >= settings.from_us AS in_window,
    COALESCE(target_group_arn, '-') AS target_group,
    -- The ALB node: from the object name (<…>_<end>_<node-ip>_<random>.log.gz, domain.md §4), else the
    -- ip_address field (2026 layout), else unknown (`-`: connections are then keyed on the target alone).
    COALESCE(
      NULLIF(regexp_extract(path, '_elasticloadbalancing_[a-z0-9-]+_app\.[A-Za-z0-9-]+\.[0-9a-f]+_[0-9]{8}T[0-9]{4}Z_([0-9A-Fa-f.:]+)_[A-Za-z0-9]+\.log(?:\.gz)?$', 1), ''),
      ip_address,
      '-'
    ) AS pair_node,
    CASE WHEN target_ip IS NOT NULL AND target_port IS NOT NULL THEN target_ip || ':' || CAST(target_port AS varchar) END AS target,
    -- When the ALB wrote the request to the target (domain.md §3): received + rpt; a -1 rpt failed at
    -- dispatch. The 2016 layout has no request_creation_time: count back from `time`.
    CASE
      WHEN received_us IS NOT NULL
        THEN received_us + CASE WHEN rpt > 0 THEN CAST(round(rpt * 1000000) AS bigint) ELSE 0 END
      ELSE time_us
        - CASE WHEN tpt > 0 THEN CAST(round(tpt * 1000000) AS bigint) ELSE 0 END
        - CASE WHEN rspt > 0 THEN CAST(round(rspt * 1000000) AS bigint) ELSE 0 END
    END AS dispatched_us,
    -- The target answered on a connection that goes back to the pool: not after a 502 (gone), nor a
    -- WebSocket upgrade (the socket's now).
    target_status_code IS NOT NULL AND (elb_status_code IS NULL OR elb_status_code <> 502) AND "type" NOT LIKE 'w%' AS frees,
    -- The cause of a 5xx/460 (classify.ts), NULL for any other entry. A 502 shaped like a keep-alive
    -- race is `race_A|B|C` until its idle gap and its neighbours decide.
    CASE
      -- The ALB's 400 for a request it could not parse (target `-`, request `"- …"`) is explained too.
      WHEN elb_status_code = 400 AND target_ip IS NULL AND request_verb IS NULL THEN 'alb_rejected'
      WHEN elb_status_code IS NULL OR NOT (elb_status_code = 460 OR elb_status_code BETWEEN 500 AND 599) THEN NULL
      WHEN elb_status_code = 460 THEN 'client_closed'
      WHEN error_reason LIKE 'Lambda%' THEN 'lambda_error'
      WHEN error_reason IS NOT NULL THEN 'alb_rejected'
      WHEN target_status_code >= 500 THEN 'target_5xx'
      WHEN target_ip IS NULL THEN
        CASE
          WHEN elb_status_code = 503 THEN 'no_healthy_targets'
          WHEN elb_status_code IN (561, 562)
            -- malformed request: `"- http://host:80- -"`
            OR request_verb IS NULL
            -- stopped at WAF or authentication before forwarding
            OR (actions_executed IS NOT NULL AND strpos(actions_executed, 'forward') = 0
                AND (strpos(actions_executed, 'waf') > 0 OR strpos(actions_executed, 'authenticate') > 0))
            THEN 'alb_rejected'
          ELSE 'unclassified'
        END
      -- 504: a connect timeout takes about 10 s (CONNECT_TIMEOUT_BAND_MS), anything else is the idle timeout.
      WHEN elb_status_code = 504 THEN
        CASE WHEN time_us - received_us >= {{CONNECT_TIMEOUT_FROM_US}} AND time_us - received_us < {{CONNECT_TIMEOUT_TO_US}}
          THEN 'connect_timeout' ELSE 'target_timeout' END
      WHEN elb_status_code = 502 AND target_status_code IS NULL THEN
        CASE
          -- RACE_MAX_ELAPSED_MS: a race-shaped drop this long after the request arrived is the target dying mid-request.
          WHEN time_us - received_us > {{RACE_MAX_ELAPSED_US}} AND (rpt = -1 OR (rpt >= 0 AND rspt = -1 AND tpt IS NOT NULL)) THEN 'target_reset'
          WHEN rpt = -1 THEN 'race_B'
          WHEN rpt >= 0 AND rspt = -1 THEN
            CASE
              WHEN tpt = -1 THEN 'race_C'
              -- RACE_MAX_TARGET_MS: a longer target time is the target dying mid-request.
              WHEN tpt >= 0 THEN CASE WHEN tpt * 1000 <= {{RACE_MAX_TARGET_MS}} THEN 'race_A' ELSE 'target_reset' END
              ELSE 'unclassified'
            END
          ELSE 'unclassified'
        END
      ELSE 'unclassified'
    END AS verdict
  FROM scanned
  CROSS JOIN settings
  -- Entries up to CONTEXT_BEFORE_WINDOW_MS before `from` (:context_from_us) only end the idle gaps of the
  -- first requests in the range.
  WHERE time_us >= settings.context_from_us AND time_us < settings.to_us
),
-- Idle gap (domain.md §6): dispatched − the latest end (`time`) of the requests on the same (node,
-- target) pair that freed the connection before it. Each freeing request is also an "end" row at its
-- `time`; with dispatches and ends in one order per pair, a running MAX over the ends is the latest end
-- so far. At equal times an end comes first when its request was dispatched earlier (tie_key), never
-- its own. Entries without a target get a pair of their own file, so they form no giant partition.
pair_events AS (
  SELECT
    e.*,
    k.is_end,
    COALESCE(e.target, 'none ' || e.path) AS pair_target,
    CASE WHEN k.is_end = 1 THEN e.time_us ELSE e.dispatched_us END AS at_us,
    2 * e.dispatched_us + k.is_end AS tie_key
  FROM entries e
  CROSS JOIN (VALUES (0), (1)) AS k (is_end)
  WHERE k.is_end = 0 OR (e.frees AND e.target IS NOT NULL)
),
paired AS (
  SELECT
    p.*,
    MAX(CASE WHEN is_end = 1 THEN time_us END)
      OVER (PARTITION BY pair_node, pair_target ORDER BY at_us, tie_key, time_us, path ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS latest_end_us,
    -- The last answered request on the pair before this one, and the first after it (races.ts).
    MAX(CASE WHEN is_end = 0 AND frees THEN dispatched_us END)
      OVER (PARTITION BY pair_node, pair_target ORDER BY at_us, tie_key, time_us, path ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS answered_before_us,
    MIN(CASE WHEN is_end = 0 AND frees THEN dispatched_us END)
      OVER (PARTITION BY pair_node, pair_target ORDER BY at_us, tie_key, time_us, path ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS answered_after_us,
    -- Requests so far on the pair, in dispatch order.
    SUM(1 - is_end)
      OVER (PARTITION BY pair_node, pair_target ORDER BY at_us, tie_key, time_us, path ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pair_seq
  FROM pair_events p
),
requests AS (
  SELECT
    g.*,
    CAST(gap_us AS double) / 1000e0 AS gap_ms,
    in_window AND verdict LIKE 'race_%' AS is_candidate,
    -- Its idle-age bucket by the formula; the exact (rounded) edges move it one at most (next step).
    CAST(CASE
      WHEN gap_us IS NULL THEN NULL
      WHEN gap_us < {{IDLE_BUCKET_FINE_FROM_US}} THEN CASE {{IDLE_BUCKET_SMALL_INDEX_CASES}} END
      WHEN gap_us < {{IDLE_BUCKET_COARSE_FROM_US}}
        THEN {{IDLE_BUCKET_FIRST_FINE}} + floor({{IDLE_BUCKET_FINE_PER_OCTAVE}} * ln(CAST(gap_us AS double) / {{IDLE_BUCKET_FINE_FROM_US}}) / ln(2e0))
      ELSE least({{IDLE_BUCKET_LAST}}, {{IDLE_BUCKET_FIRST_COARSE}}
        + floor({{IDLE_BUCKET_COARSE_PER_OCTAVE}} * ln(CAST(gap_us AS double) / {{IDLE_BUCKET_COARSE_FROM_US}}) / ln(2e0)))
    END AS bigint) AS bucket_guess
  FROM (SELECT p.*, dispatched_us - latest_end_us AS gap_us FROM paired p WHERE is_end = 0) g
),
bucketed AS (
  SELECT r.*, b.bucket, b.from_ms AS bucket_from_ms, b.to_ms AS bucket_to_ms
  FROM requests r
  CROSS JOIN (VALUES (-1), (0), (1)) AS k (delta)
  LEFT JOIN idle_buckets b
    ON b.bucket = r.bucket_guess + k.delta AND (r.gap_ms >= b.from_ms OR b.bucket = 0) AND (b.to_ms IS NULL OR r.gap_ms < b.to_ms)
  WHERE b.bucket IS NOT NULL OR (r.bucket_guess IS NULL AND k.delta = 0)
),
-- The pool replay (races.ts) needs each race-shaped 502's last RECENT_REQUESTS requests on its pair.
-- A request is among them for each race-shaped 502 in the RECENT_REQUESTS requests after it: one bit per
-- such 502 (its pair_seq modulo RECENT_REQUESTS; that many consecutive numbers never share one), then a
-- copy of the request per bit.
marked AS (
  SELECT
    b.*,
    CAST(COALESCE(SUM(CASE WHEN is_candidate THEN power(2e0, mod(pair_seq, {{RECENT_REQUESTS}})) ELSE 0e0 END)
      OVER (PARTITION BY pair_node, pair_target ORDER BY pair_seq ROWS BETWEEN 1 FOLLOWING AND {{RECENT_REQUESTS}} FOLLOWING), 0e0) AS bigint) AS races_after
  FROM bucketed b
),
copies AS (
  SELECT m.*, o.offset_seq
  FROM marked m
  -- The row itself (0) and, where races follow, one copy per following distance 1..RECENT_REQUESTS: a
  -- join on a key so that only those rows are multiplied.
  JOIN (
    SELECT 0 AS has_races, 0 AS offset_seq
    UNION ALL
    SELECT 1, a.d * 10 + b.d FROM digits a CROSS JOIN digits b WHERE a.d * 10 + b.d <= {{RECENT_REQUESTS}}
  ) o ON o.has_races = CASE WHEN m.races_after > 0 THEN 1 ELSE 0 END
  WHERE o.offset_seq = 0 OR mod(CAST(floor(m.races_after / power(2e0, mod(m.pair_seq + o.offset_seq, {{RECENT_REQUESTS}}))) AS bigint), 2) = 1
),
-- Every row counted in its roles, by one GROUP BY: the logs are reduced to counts, race-shaped 502s and
-- the requests before them.
roles AS (
  SELECT
    c.*,
    r.role,
    CASE WHEN r.role IN ('requests', 'class', 'hist', 'timeline', 'candidate') THEN c.target_group END AS k_group,
    CASE WHEN r.role = 'class' THEN c.verdict END AS k_class,
    CASE WHEN r.role = 'hist' THEN c.bucket END AS k_bucket,
    CASE
      WHEN r.role = 'timeline' THEN CAST(floor(CAST(c.time_us AS double) / {{TIMELINE_STEP_US}}) AS bigint)
      WHEN r.role = 'timeout' THEN CAST(floor(CAST(c.time_us - c.received_us AS double) / {{TIMEOUT_RESOLUTION_US}}) AS bigint)
    END AS k_time,
    CASE WHEN r.role IN ('candidate', 'history') THEN c.pair_node END AS k_node,
    CASE WHEN r.role IN ('candidate', 'history') THEN c.pair_target END AS k_target,
    -- The race-shaped 502 a row belongs to: itself, or the one `offset_seq` requests later.
    CASE WHEN r.role IN ('candidate', 'history') THEN c.pair_seq + c.offset_seq END AS k_seq,
    CASE WHEN r.role = 'history' THEN c.pair_seq END AS k_history
  FROM copies c
  CROSS JOIN (VALUES ('requests'), ('class'), ('hist'), ('timeline'), ('timeout'), ('candidate'), ('history')) AS r (role)
  WHERE CASE r.role
    WHEN 'history' THEN c.offset_seq > 0
    WHEN 'requests' THEN c.offset_seq = 0 AND c.in_window
    WHEN 'timeline' THEN c.offset_seq = 0 AND c.in_window
    WHEN 'class' THEN c.offset_seq = 0 AND c.in_window AND c.verdict IS NOT NULL AND c.verdict NOT LIKE 'race_%'
    WHEN 'hist' THEN c.offset_seq = 0 AND c.in_window AND c.bucket IS NOT NULL
    -- albIdle.ts: idle-timeout 504s with an elapsed time in (0, MAX_TIMEOUT_ELAPSED_MS]
    WHEN 'timeout' THEN c.offset_seq = 0 AND c.in_window AND c.verdict = 'target_timeout'
      AND c.time_us - c.received_us > 0 AND c.time_us - c.received_us <= {{MAX_TIMEOUT_ELAPSED_US}}
    WHEN 'candidate' THEN c.offset_seq = 0 AND c.is_candidate
    ELSE false
  END
),
reduced AS (
  SELECT
    role, k_group, k_class, k_bucket, k_time, k_node, k_target, k_seq, k_history,
    COUNT(*) AS n,
    SUM(CASE WHEN verdict IS NOT NULL AND verdict NOT LIKE 'race_%' THEN 1 ELSE 0 END) AS explained,
    MAX(bucket_from_ms) AS bucket_from_ms,
    MAX(bucket_to_ms) AS bucket_to_ms,
    MIN(time_us - received_us) AS min_elapsed_us,
    MAX(time_us - received_us) AS max_elapsed_us,
    -- One row per group for the candidate and history roles: these are its values.
    MAX(CASE WHEN role IN ('candidate', 'history') THEN path END) AS path,
    MAX(CASE WHEN role = 'candidate' THEN "time" END) AS "time",
    MAX(CASE WHEN role = 'candidate' THEN time_us END) AS time_us,
    MAX(CASE WHEN role IN ('candidate', 'history') THEN dispatched_us END) AS dispatched_us,
    MAX(CASE WHEN role = 'history' AND frees THEN time_us END) AS end_us,
    MAX(CASE WHEN role = 'candidate' THEN gap_us END) AS gap_us,
    MAX(CASE WHEN role = 'candidate' THEN gap_ms END) AS gap_ms,
    MAX(CASE WHEN role = 'candidate' THEN bucket END) AS gap_bucket,
    MAX(CASE WHEN role = 'candidate' THEN substr(verdict, 6) END) AS shape,
    MAX(CASE WHEN role = 'candidate' THEN target END) AS target,
    MAX(CASE WHEN role = 'candidate' THEN answered_before_us END) AS answered_before_us,
    MAX(CASE WHEN role = 'candidate' THEN answered_after_us END) AS answered_after_us
  FROM roles
  GROUP BY role, k_group, k_class, k_bucket, k_time, k_node, k_target, k_seq, k_history
),
-- From here on the rows are few: counts, race-shaped 502s, their pairs' recent requests.
-- The ALB idle timeout (albIdle.ts): the TIMEOUT_PERCENTILE of the idle-timeout 504s' elapsed times in
-- steps of TIMEOUT_RESOLUTION_MS, plus TIMEOUT_ROUNDING_SLACK_MS, floored to seconds, within the
-- attribute's range; at least MIN_TIMEOUTS_TO_INFER of them, else the flag or the default.
timeout_ranked AS (
  SELECT
    r.*,
    SUM(CASE WHEN role = 'timeout' THEN n ELSE 0 END) OVER () AS timeouts,
    CASE WHEN role = 'timeout'
      THEN SUM(n) OVER (PARTITION BY role ORDER BY k_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END AS timeouts_so_far
  FROM reduced r
),
idle_timeout AS (
  SELECT
    t.*,
    COALESCE(s.alb_idle_timeout_flag_s, inferred_s, {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}) AS idle_timeout_s,
    CASE WHEN s.alb_idle_timeout_flag_s IS NOT NULL THEN 'flag' WHEN inferred_s IS NOT NULL THEN 'inferred' ELSE 'default' END AS idle_timeout_source,
    -- maxRaceGapMs: a little above the ALB idle timeout
    COALESCE(s.alb_idle_timeout_flag_s, inferred_s, {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}) * 1000e0 * {{MAX_RACE_GAP_IDLE_FACTOR}} + {{MAX_RACE_GAP_EXTRA_MS}}
      AS max_race_gap_ms
  FROM (
    SELECT
      x.*,
      CAST(MIN(CASE WHEN role = 'timeout' AND timeouts >= {{MIN_TIMEOUTS_TO_INFER}} AND timeouts_so_far > floor({{TIMEOUT_PERCENTILE}} * (timeouts - 1))
        THEN least({{MAX_ALB_IDLE_TIMEOUT_SECONDS}}, greatest({{MIN_ALB_IDLE_TIMEOUT_SECONDS}},
          floor((k_time * {{TIMEOUT_RESOLUTION_MS}} + {{TIMEOUT_ROUNDING_SLACK_MS}}) / 1000e0))) END) OVER () AS bigint) AS inferred_s
    FROM timeout_ranked x
  ) t
  CROSS JOIN settings s
),
-- Race-shaped 502s: looksRefused (shape B and nothing answered on its pair for REFUSAL_SILENCE_MS
-- after), and deploy runs (markDeployRuns): RUN_MIN_EVENTS or more shape-B 502s on one target of a
-- group, each within RUN_GAP_MS of the previous one with nothing answered on its pair since.
refusals AS (
  SELECT
    r.*,
    role = 'candidate' AND shape = 'B' AND NOT COALESCE(answered_after_us - dispatched_us < {{REFUSAL_SILENCE_US}}, false) AS looks_refused,
    CASE WHEN role = 'candidate' AND shape = 'B' THEN k_group || ' ' || target END AS refusal_part,
    CASE WHEN role = 'candidate' AND shape = 'B'
      THEN LAG(dispatched_us) OVER (PARTITION BY CASE WHEN role = 'candidate' AND shape = 'B' THEN k_group || ' ' || target END ORDER BY dispatched_us, k_node, k_seq) END AS previous_refusal_us
  FROM idle_timeout r
),
refusal_runs AS (
  SELECT
    r.*,
    SUM(CASE WHEN refusal_part IS NOT NULL AND NOT chained THEN 1 ELSE 0 END)
      OVER (PARTITION BY refusal_part ORDER BY dispatched_us, k_node, k_seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_no
  FROM (
    SELECT
      x.*,
      previous_refusal_us IS NOT NULL AND dispatched_us - previous_refusal_us <= {{RUN_GAP_US}}
        AND NOT COALESCE(answered_before_us > previous_refusal_us, false) AS chained
    FROM refusals x
  ) r
),
run_edges AS (
  SELECT
    r.*,
    COUNT(*) OVER (PARTITION BY refusal_part, run_no) AS run_size,
    ROW_NUMBER() OVER (PARTITION BY refusal_part, run_no ORDER BY dispatched_us, k_node, k_seq) AS run_first,
    ROW_NUMBER() OVER (PARTITION BY refusal_part, run_no ORDER BY dispatched_us DESC, k_node DESC, k_seq DESC) AS run_last
  FROM refusal_runs r
),
-- A run and RUN_MARGIN_MS around it is a deploy: its first and last refusal each add a boundary
-- row, and a running count of boundaries tells which race-shaped 502s of the target lie inside.
run_bounds AS (
  SELECT r.*, b.bound
  FROM run_edges r
  JOIN (VALUES (0, 0), (1, 0), (1, 1), (2, 0), (2, 2)) AS b (edge, bound)
    ON b.edge = CASE
      WHEN refusal_part IS NULL OR run_size < {{RUN_MIN_EVENTS}} THEN 0
      WHEN run_first = 1 THEN 1
      WHEN run_last = 1 THEN 2
      ELSE 0
    END
),
in_runs AS (
  SELECT
    r.*,
    CASE WHEN role = 'candidate' AND bound = 0
      THEN SUM(CASE bound WHEN 1 THEN 1 WHEN 2 THEN -1 ELSE 0 END) OVER (
        PARTITION BY CASE WHEN role = 'candidate' THEN k_group || ' ' || target END
        -- at equal times: a run's start, then the 502s, then its end (both ends inclusive)
        ORDER BY CASE bound WHEN 1 THEN dispatched_us - {{RUN_MARGIN_US}} WHEN 2 THEN dispatched_us + {{RUN_MARGIN_US}} ELSE dispatched_us END,
          CASE bound WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END, k_node, k_seq
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) > 0
    END AS in_deploy_run
  FROM run_bounds r
),
-- The keep-alive fit (keepalive.ts fitKeepAlive), per target group, over the idle gaps of race-shaped
-- 502s outside deploy runs and lone refusals, from MIN_RACE_GAP_MS to maxRaceGapMs.
fit_gaps AS (
  SELECT
    r.*,
    CASE WHEN fits_band THEN ROW_NUMBER() OVER (PARTITION BY CASE WHEN fits_band THEN k_group END ORDER BY gap_ms, k_node, k_seq) END AS fit_rank,
    CASE WHEN fits_band THEN COUNT(*) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) END AS fit_count,
    CASE WHEN fits_band THEN ln(gap_ms) END AS log_gap
  FROM (
    SELECT
      x.*,
      role = 'candidate' AND bound = 0 AND NOT in_deploy_run AND NOT looks_refused AND gap_us IS NOT NULL
        AND gap_ms >= {{MIN_RACE_GAP_MS}} AND gap_ms <= max_race_gap_ms AS fits_band
    FROM in_runs x
    WHERE bound = 0
  ) r
),
-- Single linkage on a log scale: a gap more than LINK_LOG above the previous one starts a
-- cluster; the largest cluster is the band's candidate (on a tie, the higher one).
fit_clusters AS (
  SELECT
    c.*,
    CASE WHEN fits_band THEN COUNT(*) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END, cluster_no) END AS cluster_size
  FROM (
    SELECT
      s.*,
      CASE WHEN fits_band THEN SUM(CASE WHEN spacing IS NULL OR spacing > {{LINK_LOG}} THEN 1 ELSE 0 END)
        OVER (PARTITION BY CASE WHEN fits_band THEN k_group END ORDER BY fit_rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END AS cluster_no
    FROM (
      SELECT g.*, CASE WHEN fits_band THEN log_gap - LAG(log_gap) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END ORDER BY fit_rank) END AS spacing
      FROM fit_gaps g
    ) s
  ) c
),
best_cluster AS (
  SELECT
    b.*,
    fits_band AND cluster_no = best_cluster_no AS in_best,
    CASE WHEN fits_band AND cluster_no = best_cluster_no THEN fit_rank - MIN(CASE WHEN cluster_no = best_cluster_no THEN fit_rank END)
      OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) + 1 END AS pos
  FROM (
    SELECT
      m.*,
      MAX(CASE WHEN cluster_size = largest THEN cluster_no END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS best_cluster_no
    FROM (SELECT c.*, MAX(cluster_size) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS largest FROM fit_clusters c) m
  ) b
),
-- Stragglers at the top: a spacing above max(STRAGGLER_MIN_LOG, STRAGGLER_SPACINGS × the median
-- spacing) is trimmed, one member at a time, while more than STRAGGLER_MIN_KEPT remain.
cluster_top AS (
  SELECT
    t.*,
    largest - greatest(0, least(largest - COALESCE(last_small_pos, 1), largest - {{STRAGGLER_MIN_KEPT}})) AS last_pos
  FROM (
    SELECT
      l.*,
      MAX(CASE WHEN in_best AND pos >= 2 AND spacing <= limit_log THEN pos END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS last_small_pos
    FROM (
      SELECT
        s.*,
        greatest({{STRAGGLER_MIN_LOG}}, {{STRAGGLER_SPACINGS}} * COALESCE(MAX(CASE WHEN spacing_rank = floor((largest - 1) / 2e0) + 1 THEN spacing END)
          OVER (PARTITION BY CASE WHEN fits_band THEN k_group END), 0e0)) AS limit_log
      FROM (
        SELECT
          b.*,
          CASE WHEN in_best AND pos >= 2 THEN ROW_NUMBER() OVER (PARTITION BY CASE WHEN in_best AND pos >= 2 THEN k_group END ORDER BY spacing, pos) END AS spacing_rank
        FROM best_cluster b
      ) s
    ) l
  ) t
),
-- Where the band starts (onsetIndex): the split into a sparse lower and a dense upper part that
-- maximises a two-step density's log-likelihood on the log scale, kept if it beats one step by
-- SPLIT_PENALTY_PER_LOG_N × ln n + SPLIT_PENALTY and the upper part is DENSER_BY times as dense;
-- densities over width + MIN_WIDTH_LOG; ONSET_MIN_MEMBERS at least; the first best split wins.
onset_gains AS (
  SELECT
    g.*,
    CASE WHEN in_best AND last_pos >= {{ONSET_MIN_MEMBERS}} AND pos >= 2 AND pos <= last_pos - 1
      AND (last_pos - pos + 1) / (log_last - log_gap + {{MIN_WIDTH_LOG}}) >= {{DENSER_BY}} * ((pos - 1) / (log_gap - log_first + {{MIN_WIDTH_LOG}}))
      THEN (pos - 1) * ln((pos - 1) / (log_gap - log_first + {{MIN_WIDTH_LOG}}))
        + (last_pos - pos + 1) * ln((last_pos - pos + 1) / (log_last - log_gap + {{MIN_WIDTH_LOG}}))
        - last_pos * ln(last_pos / (log_last - log_first + {{MIN_WIDTH_LOG}}))
    END AS split_gain
  FROM (
    SELECT
      t.*,
      MAX(CASE WHEN in_best AND pos = 1 THEN log_gap END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS log_first,
      MAX(CASE WHEN in_best AND pos = last_pos THEN log_gap END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS log_last
    FROM cluster_top t
  ) g
),
band AS (
  SELECT
    b.*,
    MAX(CASE WHEN in_best AND pos = first_pos THEN gap_ms END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS lowest_ms,
    MAX(CASE WHEN in_best AND pos = last_pos THEN gap_ms END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS top_ms,
    -- The lowest race overshoots the edge by about one spacing: k = min(EDGE_CORRECTION_SPACINGS, races − 1)
    -- spacings above it.
    MAX(CASE WHEN in_best AND pos = first_pos + least({{EDGE_CORRECTION_SPACINGS}}, last_pos - first_pos) THEN gap_ms END)
      OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS kth_ms
  FROM (
    SELECT
      s.*,
      COALESCE(MIN(CASE WHEN split_gain > {{SPLIT_PENALTY_PER_LOG_N}} * ln(last_pos) + {{SPLIT_PENALTY}} AND split_gain = best_gain THEN pos END)
        OVER (PARTITION BY CASE WHEN fits_band THEN k_group END), 1) AS first_pos
    FROM (
      SELECT o.*, MAX(CASE WHEN split_gain > {{SPLIT_PENALTY_PER_LOG_N}} * ln(last_pos) + {{SPLIT_PENALTY}} THEN split_gain END) OVER (PARTITION BY CASE WHEN fits_band THEN k_group END) AS best_gain
      FROM onset_gains o
    ) s
  ) b
),
-- Per target group from here: the band, over every row of the group.
group_band AS (
  SELECT
    g.*,
    band_last - band_first + 1 AS band_races,
    band_k
  FROM (
    SELECT
      b.*,
      MAX(CASE WHEN fits_band THEN fit_count END) OVER (PARTITION BY k_group) AS candidates_in_range,
      MAX(CASE WHEN fits_band THEN first_pos END) OVER (PARTITION BY k_group) AS band_first,
      MAX(CASE WHEN fits_band THEN last_pos END) OVER (PARTITION BY k_group) AS band_last,
      MAX(CASE WHEN fits_band THEN least({{EDGE_CORRECTION_SPACINGS}}, last_pos - first_pos) END) OVER (PARTITION BY k_group) AS band_k,
      MAX(CASE WHEN fits_band THEN lowest_ms END) OVER (PARTITION BY k_group) AS band_lowest_ms,
      MAX(CASE WHEN fits_band THEN top_ms END) OVER (PARTITION BY k_group) AS band_top_ms,
      MAX(CASE WHEN fits_band THEN kth_ms END) OVER (PARTITION BY k_group) AS band_kth_ms
    FROM band b
  ) g
),
-- Chance: requests with a gap in [from, to), as IdleGapHistogram.requestsBetween counts them (whole
-- buckets, and the covered fraction of the ones at the ends; the open last bucket whole), in the range
-- [MIN_RACE_GAP_MS, maxRaceGapMs) and in the band widened by BAND_MIN_WIDTH/2 of its lowest gap a side.
band_chance AS (
  SELECT
    c.*,
    CASE WHEN band_races >= {{MIN_BAND_RACES}}
      THEN candidates_in_range * least(requests_in_band, requests_in_range) / requests_in_range END AS expected_races
  FROM (
    SELECT
      g.*,
      greatest(1e0, SUM(CASE WHEN role = 'hist' AND (bucket_to_ms IS NULL OR bucket_to_ms > {{MIN_RACE_GAP_MS}}) AND bucket_from_ms < max_race_gap_ms
        THEN n * CASE WHEN bucket_to_ms IS NULL THEN 1e0
          ELSE greatest(0e0, least(1e0, (least(bucket_to_ms, max_race_gap_ms) - greatest(bucket_from_ms, {{MIN_RACE_GAP_MS}})) / (bucket_to_ms - bucket_from_ms))) END
        ELSE 0e0 END) OVER (PARTITION BY k_group)) AS requests_in_range,
      greatest(1e0, SUM(CASE WHEN role = 'hist' AND band_races >= {{MIN_BAND_RACES}}
          AND (bucket_to_ms IS NULL OR bucket_to_ms > band_lowest_ms - {{BAND_HALF_MIN_WIDTH}} * band_lowest_ms)
          AND bucket_from_ms < band_top_ms + {{BAND_HALF_MIN_WIDTH}} * band_lowest_ms
        THEN n * CASE WHEN bucket_to_ms IS NULL THEN 1e0
          ELSE greatest(0e0, least(1e0, (least(bucket_to_ms, band_top_ms + {{BAND_HALF_MIN_WIDTH}} * band_lowest_ms)
            - greatest(bucket_from_ms, band_lowest_ms - {{BAND_HALF_MIN_WIDTH}} * band_lowest_ms)) / (bucket_to_ms - bucket_from_ms))) END
        ELSE 0e0 END) OVER (PARTITION BY k_group)) AS requests_in_band
    FROM group_band g
  ) c
),
-- P(X ≥ band_races) for X ~ Poisson(expected) (poissonTail): the first POISSON_MAX_TERMS terms exp(−μ + k ln μ − ln k!),
-- summed on copies of one row of the group (the band's lowest race). ln k! exactly below 20, else by
-- Stirling's series (within 1e-15 there).
poisson_terms AS (
  SELECT
    t.*,
    CASE WHEN is_carrier THEN exp(-expected_races + k * ln(expected_races) - (ln_first_factorial + SUM(CASE WHEN j = 0 THEN 0e0 ELSE ln(CAST(k AS double)) END)
      OVER (PARTITION BY CASE WHEN is_carrier THEN k_group END ORDER BY j ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))) END AS term
  FROM (
    SELECT
      b.*,
      n2.j,
      band_races + n2.j AS k,
      CASE
        WHEN band_races IS NULL THEN NULL
        WHEN band_races < 20 THEN ln(CASE band_races
          WHEN 2 THEN 2e0 WHEN 3 THEN 6e0 WHEN 4 THEN 24e0 WHEN 5 THEN 120e0 WHEN 6 THEN 720e0 WHEN 7 THEN 5040e0
          WHEN 8 THEN 40320e0 WHEN 9 THEN 362880e0 WHEN 10 THEN 3628800e0 WHEN 11 THEN 39916800e0 WHEN 12 THEN 479001600e0
          WHEN 13 THEN 6227020800e0 WHEN 14 THEN 87178291200e0 WHEN 15 THEN 1307674368000e0 WHEN 16 THEN 20922789888000e0
          WHEN 17 THEN 355687428096000e0 WHEN 18 THEN 6402373705728000e0 WHEN 19 THEN 121645100408832000e0 ELSE 1e0 END)
        ELSE band_races * ln(CAST(band_races AS double)) - band_races + 0.5e0 * ln(2e0 * pi() * band_races)
          + 1e0 / (12e0 * band_races) - 1e0 / (360e0 * power(band_races, 3)) + 1e0 / (1260e0 * power(band_races, 5))
          - 1e0 / (1680e0 * power(band_races, 7))
      END AS ln_first_factorial
    FROM (
      SELECT
        c.*,
        role = 'candidate' AND fits_band AND in_best AND pos = first_pos AND band_races >= {{MIN_BAND_RACES}}
          AND expected_races > 0 AND expected_races <= band_races AS is_carrier
      FROM band_chance c
    ) b
    JOIN (
      SELECT 0 AS carrier, 0 AS j
      UNION ALL
      SELECT 1, a.d * 100 + e.d * 10 + f.d FROM digits a CROSS JOIN digits e CROSS JOIN digits f
      WHERE a.d * 100 + e.d * 10 + f.d < {{POISSON_MAX_TERMS}}
    ) n2 ON n2.carrier = CASE WHEN b.is_carrier THEN 1 ELSE 0 END
  ) t
),
p_values AS (
  SELECT
    p.*,
    -- A band is a keep-alive signature only if chance explains it with p < MAX_P_VALUE.
    band_races >= {{MIN_BAND_RACES}} AND p_value < {{MAX_P_VALUE}} AS has_fit
  FROM (
    SELECT
      t.*,
      CASE
        WHEN band_races IS NULL OR band_races < {{MIN_BAND_RACES}} THEN NULL
        WHEN expected_races <= 0 THEN 0e0
        WHEN expected_races > band_races THEN 1e0
        ELSE least(1e0, COALESCE(MAX(group_tail) OVER (PARTITION BY k_group), 0e0))
      END AS p_value
    FROM (
      SELECT q.*, CASE WHEN is_carrier THEN SUM(term) OVER (PARTITION BY CASE WHEN is_carrier THEN k_group END) END AS group_tail
      FROM poisson_terms q
    ) t
    WHERE j = 0
  ) p
),
fits AS (
  SELECT
    p.*,
    -- ONSET_BELOW_LOWEST_*: never further below the lowest race than its measurement error.
    CASE WHEN has_fit THEN greatest(band_lowest_ms - (band_kth_ms - band_lowest_ms) / band_k,
      band_lowest_ms - {{ONSET_BELOW_LOWEST_FACTOR}} * band_lowest_ms - {{ONSET_BELOW_LOWEST_MS}}) END AS onset_ms,
    CASE WHEN has_fit THEN (band_kth_ms - band_lowest_ms) / band_k END AS edge_correction_ms,
    -- The onset before that limit: lowSeconds still carries the whole correction below it.
    CASE WHEN has_fit THEN band_lowest_ms - (band_kth_ms - band_lowest_ms) / band_k END AS corrected_onset_ms,
    CASE
      WHEN NOT has_fit OR has_fit IS NULL THEN 'none'
      WHEN band_races >= {{HIGH_CONFIDENCE_MIN_RACES}} AND p_value < {{HIGH_CONFIDENCE_MAX_P_VALUE}} THEN 'high'
      WHEN band_races >= {{MEDIUM_CONFIDENCE_MIN_RACES}} THEN 'medium'
      ELSE 'low'
    END AS confidence,
    -- A little room either side of the races seen (raceGapRangeMs, RACE_RANGE_*).
    CASE WHEN has_fit
      THEN least(band_lowest_ms * {{RACE_RANGE_LOW_FACTOR}} - {{RACE_RANGE_LOW_SLACK_MS}}, greatest(band_lowest_ms - (band_kth_ms - band_lowest_ms) / band_k,
        band_lowest_ms - {{ONSET_BELOW_LOWEST_FACTOR}} * band_lowest_ms - {{ONSET_BELOW_LOWEST_MS}})) END AS range_from_ms,
    CASE WHEN has_fit
      THEN greatest(band_top_ms * {{RACE_RANGE_HIGH_FACTOR}}, band_lowest_ms * {{RACE_RANGE_MIN_HIGH_FACTOR}}) + {{RACE_RANGE_HIGH_SLACK_MS}} END AS range_to_ms
  FROM p_values p
),
-- Races below the band (races.ts, step 3): the pair's recent requests are replayed through a pool
-- whose target closes connections idle past the band (_replay.sql). A race-shaped 502 and its history
-- rows share a replay partition: (node, target, its pair_seq).
replay_in AS (
  SELECT
    f.*,
    MAX(CASE WHEN role = 'candidate' AND has_fit AND NOT in_deploy_run AND NOT looks_refused AND (gap_us IS NULL OR gap_ms < range_from_ms)
      THEN range_to_ms END) OVER (PARTITION BY k_node, k_target, k_seq) AS replay_closed_after_ms,
    MAX(CASE WHEN role = 'candidate' THEN range_from_ms END) OVER (PARTITION BY k_node, k_target, k_seq) AS replay_from_ms
  FROM fits f
),
-- @include _replay.sql
,
analysis AS (
  SELECT
    r.*,
    CASE
      WHEN role <> 'candidate' THEN NULL
      WHEN in_deploy_run THEN CASE WHEN shape = 'B' THEN 'target_connection_error' ELSE 'closed_connection_race' END
      WHEN has_fit AND gap_us IS NOT NULL AND gap_ms >= range_from_ms AND gap_ms <= range_to_ms THEN 'keepalive_race'
      WHEN replay_closed_after_ms IS NOT NULL
        AND ((oldest_first_age_ms >= replay_from_ms AND oldest_first_age_ms <= replay_closed_after_ms)
          OR (newest_first_age_ms >= replay_from_ms AND newest_first_age_ms <= replay_closed_after_ms)) THEN 'keepalive_race'
      -- A lone refusal: shape B and its pair silent for REFUSAL_SILENCE_MS after.
      WHEN looks_refused THEN 'target_connection_error'
      ELSE 'closed_connection_race'
    END AS class
  FROM replay_out r
)
