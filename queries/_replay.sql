-- _replay.sql: the pool replay of races.ts replayIdleAgeMs, as steps over `replay_in` (included by
-- _analysis.sql; not a query by itself).
--
-- Input `replay_in`, any columns plus:
--   role                    'candidate' (a race-shaped 502: the connection it was handed is asked for)
--                           or 'history' (a request before it on its pair); other rows pass through
--   k_node, k_target, k_seq the 502 a row belongs to (its own pair_seq for the 502 itself)
--   k_history               a history row's own pair_seq (its place in the pair's order)
--   dispatched_us, end_us   when a request was dispatched, and when it freed its connection (NULL: never)
--   replay_closed_after_ms  on the rows of a 502 to replay: its target closes connections idle longer
--                           than this (NULL: no replay)
-- Output `replay_out`: the same rows, plus on each replayed 502 the idle age of the connection an
-- oldest-first and a newest-first pool would hand it (NULL: it would open a new one):
--   oldest_first_age_ms, newest_first_age_ms
--
-- The pool starts empty at the first request remembered. Every request takes an idle connection when
-- there is one, dropping those idle past the limit first; an answered request's connection is idle again
-- from its end. Each history row adds two events: its end, and its expiry (end + limit). No loop: in one
-- order of takes, ends and expiries per 502, both pools have closed forms.
--
-- Oldest first: the idle connections are always a run of the ends in time order (new ends come after the
-- idle ones; expiry and taking both remove from the front). So the pool is one number h, the ends removed
-- so far: at take k, h = min(b_k, max(h, a_k) + 1), where b_k ends and a_k expiries came before it. With
-- g = h − k this is a clamp, g_k = max(L_k, min(g_{k−1}, H_k)) for H_k = b_k − k and L_k = min(a_k + 1 − k,
-- H_k), and clamps compose: g_n = max(min(0, H_1 … H_n), max over j of min(L_j, H_{j+1} … H_n)). The 502
-- gets the end at place max(h_n, a) + 1, if there is one.
-- Newest first: a stack. Its height is a running sum of +1 (end) and −1 (take) held at 0 (a take with
-- nothing idle opens a new connection): S − min(0, min S so far). On top is the end that last raised the
-- height to its present value. Expired connections sit at the bottom, under every live one: if the top has
-- expired, the pool is empty.
replay_events AS (
  SELECT
    e.*,
    CASE WHEN replay_closed_after_ms IS NOT NULL AND role IN ('candidate', 'history') THEN k_node || ' ' || k_target || ' ' || CAST(k_seq AS varchar) END AS replay_part,
    CASE e.event
      WHEN 1 THEN CAST(end_us AS double)
      WHEN 2 THEN CAST(end_us AS double) + replay_closed_after_ms * 1000e0
      ELSE CAST(dispatched_us AS double)
    END AS replay_at,
    -- At equal times: an end before the takes of later requests; an expiry after every take (expired
    -- means idle for MORE than the limit).
    CASE e.event WHEN 1 THEN 2e0 * dispatched_us + 1 WHEN 2 THEN 9e18 ELSE 2e0 * dispatched_us END AS replay_tie
  FROM (
    SELECT r.*, ev.event
    FROM replay_in r
    JOIN (VALUES (0, 0), (1, 0), (1, 1), (1, 2)) AS ev (has_end, event)
      ON ev.has_end = CASE WHEN r.role = 'history' AND r.replay_closed_after_ms IS NOT NULL AND r.end_us IS NOT NULL THEN 1 ELSE 0 END
  ) e
),
replay_counts AS (
  SELECT
    e.*,
    SUM(CASE WHEN event = 1 THEN 1 ELSE 0 END)
      OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ends_so_far,
    SUM(CASE WHEN event = 2 THEN 1 ELSE 0 END)
      OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS expired_so_far,
    SUM(CASE WHEN event = 0 AND role = 'history' THEN 1 ELSE 0 END)
      OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS takes_so_far,
    SUM(CASE WHEN event = 1 THEN 1 WHEN event = 0 THEN -1 ELSE 0 END)
      OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS stack_sum,
    ROW_NUMBER() OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history) AS replay_index
  FROM replay_events e
),
replay_clamps AS (
  SELECT
    c.*,
    MIN(clamp_high) OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS clamp_high_after,
    stack_sum - least(0, MIN(stack_sum) OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS stack_depth
  FROM (
    SELECT
      x.*,
      CASE WHEN event = 0 AND role = 'history' THEN ends_so_far - takes_so_far END AS clamp_high,
      CASE WHEN event = 0 AND role = 'history' THEN least(expired_so_far + 1 - takes_so_far, ends_so_far - takes_so_far) END AS clamp_low
    FROM replay_counts x
  ) c
),
replay_heads AS (
  SELECT
    h.*,
    -- On the 502's own row: where the oldest live connection sits, and the stack's height before it.
    MAX(CASE WHEN role = 'candidate' AND event = 0
      THEN greatest(CASE WHEN takes_so_far = 0 THEN 0 ELSE greatest(least(0, min_high), max_low) + takes_so_far END, expired_so_far) END)
      OVER (PARTITION BY replay_part) AS oldest_place,
    MAX(CASE WHEN role = 'candidate' AND event = 0 THEN COALESCE(depth_before, 0) END) OVER (PARTITION BY replay_part) AS top_depth,
    MAX(CASE WHEN role = 'candidate' AND event = 0 THEN replay_index END) OVER (PARTITION BY replay_part) AS candidate_index
  FROM (
    SELECT
      c.*,
      MIN(clamp_high) OVER (PARTITION BY replay_part) AS min_high,
      MAX(CASE WHEN clamp_low IS NULL THEN NULL WHEN clamp_high_after IS NULL THEN clamp_low ELSE least(clamp_low, clamp_high_after) END)
        OVER (PARTITION BY replay_part) AS max_low,
      LAG(stack_depth) OVER (PARTITION BY replay_part ORDER BY replay_at, replay_tie, k_history) AS depth_before
    FROM replay_clamps c
  ) h
),
replay_picks AS (
  SELECT
    p.*,
    MAX(CASE WHEN event = 1 AND ends_so_far = oldest_place + 1 AND replay_index < candidate_index THEN end_us END)
      OVER (PARTITION BY replay_part) AS oldest_end_us,
    MAX(CASE WHEN event = 1 AND stack_depth = top_depth AND top_depth > 0 AND replay_index < candidate_index THEN end_us END)
      OVER (PARTITION BY replay_part) AS newest_end_us
  FROM replay_heads p
),
replay_out AS (
  SELECT
    p.*,
    CASE WHEN role = 'candidate' AND replay_part IS NOT NULL AND oldest_end_us IS NOT NULL
      THEN CAST(dispatched_us - oldest_end_us AS double) / 1000e0 END AS oldest_first_age_ms,
    CASE WHEN role = 'candidate' AND replay_part IS NOT NULL AND newest_end_us IS NOT NULL
      AND CAST(dispatched_us - newest_end_us AS double) / 1000e0 <= replay_closed_after_ms
      THEN CAST(dispatched_us - newest_end_us AS double) / 1000e0 END AS newest_first_age_ms
  FROM replay_picks p
  WHERE event = 0
)
