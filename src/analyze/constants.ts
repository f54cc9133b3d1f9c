/**
 * The diagnosis thresholds, one copy each: the streaming analysis (classify.ts, connections.ts,
 * histogram.ts, albIdle.ts, keepalive.ts, races.ts, recommend.ts, accumulate.ts, connections.ts) and the Athena templates
 * (queries/*.sql, which get them from athena/sqlConstants.ts) both read them from here, so the two cannot
 * drift. A leaf module: it imports nothing.
 */

// ---- classify.ts: one entry → its cause ----------------------------------------------------------

/**
 * Shape A with a target time above this is the target dying mid-request (crash, OOM, Gunicorn `--timeout`,
 * uWSGI `harakiri`), not a race: a race's RST comes back within a round trip or two, "usually 0–50 ms".
 * 1 s leaves room for a slow network and is still far below any worker timeout.
 */
export const RACE_MAX_TARGET_MS = 1000;

/**
 * A race-shaped 502 whose elapsed time (`time − request_creation_time`) is longer than this is not a race,
 * whatever its shape and gap: a race is the request processing (milliseconds), a write onto a closed socket
 * and the RST back, a few ms in all. RACE_MAX_TARGET_MS for the target's part plus as much again for the
 * ALB's own (request processing, a slow network) is still far below a worker timeout or a crash seconds
 * into a request, which is what a drop that late is. Shapes B and C log no target time, so this is the
 * only timing that tells them apart.
 */
export const RACE_MAX_ELAPSED_MS = 2 * RACE_MAX_TARGET_MS;

/**
 * The ALB gives up connecting after 10 s (domain.md §5, "could not connect in 10 s"). A 504 whose elapsed
 * time sits in this band is a connect timeout whatever its other fields say; anything else is the idle
 * timeout. An ALB whose idle timeout is itself 10 s makes the two indistinguishable; the band is narrow
 * so that idle timeouts of 9 or 11 s are not swallowed.
 */
export const CONNECT_TIMEOUT_BAND_MS: readonly [number, number] = [9_950, 10_600];

// ---- accumulate.ts and connections.ts: idle gaps -----------------------------------------------

/** Entries this long before --from still feed the idle gaps of the first requests in the window. */
export const CONTEXT_BEFORE_WINDOW_MS = 10 * 60_000;

/**
 * Requests remembered per pair for races.ts, which replays them through an oldest-first pool: with such a
 * pool the connection that raced went idle `T` before the dispatch, possibly before later requests on
 * other connections. 32 requests cover a pair doing 5 requests/s over a 6 s keep-alive.
 */
export const RECENT_REQUESTS = 32;

/**
 * How long a request waits for earlier-dispatched lines before its gap is measured (connections.ts): a
 * 5-minute file shuffled end to end, plus a minute of margin. Fixed, so windows merge exactly.
 */
export const REORDER_WINDOW_MS = 6 * 60_000;

/** A pair with no traffic for this long is forgotten: any gap beyond the ALB's largest idle timeout (4000 s) means a new connection anyway. */
export const FORGET_PAIR_AFTER_MS = 2 * 3_600_000;

/**
 * Race-shaped 502s held for conclude. Races are rare (a busy ALB logs a few hundred a day); this many
 * means something else is going on, and later ones are classified against the estimate so far.
 */
export const MAX_HELD_RACES = 200_000;

// ---- histogram.ts: idle-gap buckets ---------------------------------------------------------------
// Below 500 ms 1-2-5 steps: keep-alive timeouts that short do not occur (Gunicorn's minimum is 1 s), so
// these buckets only show where ordinary reuse happens. From 500 ms to 128 s 32 per octave (each 2.2 %
// wide): every default that races (2 s to 75 s) gets buckets narrower than the ±5 % an estimate must
// meet. From 128 s to 4096 s 4 per octave, up to the ALB's largest idle timeout; one open bucket above.

/** The lower edges below IDLE_BUCKET_FINE_FROM_MS. */
export const IDLE_BUCKET_SMALL_EDGES_MS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200];
export const IDLE_BUCKET_FINE_FROM_MS = 500;
export const IDLE_BUCKET_FINE_PER_OCTAVE = 32;
/** 500 ms · 2⁸ = 128 s, where the coarse buckets start. */
export const IDLE_BUCKET_FINE_OCTAVES = 8;
export const IDLE_BUCKET_COARSE_FROM_MS = IDLE_BUCKET_FINE_FROM_MS * 2 ** IDLE_BUCKET_FINE_OCTAVES;
export const IDLE_BUCKET_COARSE_PER_OCTAVE = 4;
/** 128 s · 2⁵ = 4096 s, just above the ALB's largest idle timeout (4000 s). */
export const IDLE_BUCKET_COARSE_OCTAVES = 5;

// ---- albIdle.ts: the ALB idle timeout from its 504s -------------------------------------------------

/** The attribute `idle_timeout.timeout_seconds`: 1–4000 s, default 60. */
export const DEFAULT_ALB_IDLE_TIMEOUT_SECONDS = 60;
export const MIN_ALB_IDLE_TIMEOUT_SECONDS = 1;
export const MAX_ALB_IDLE_TIMEOUT_SECONDS = 4000;
/** Fewer 504s than this say too little: a single slow request cut by a client proxy looks the same. */
export const MIN_TIMEOUTS_TO_INFER = 3;
/** The 10th percentile rather than the minimum: one 504 from a client-side proxy giving up early must not drag the estimate down. */
export const TIMEOUT_PERCENTILE = 0.1;
/** 504 elapsed times are counted in steps of this: at most one count per step up to 4000 s. */
export const TIMEOUT_RESOLUTION_MS = 10;
/** Elapsed times are the timeout plus processing; truncating request_creation_time to ms can put one a hair below it. */
export const TIMEOUT_ROUNDING_SLACK_MS = 20;
/** A 504 that took longer than the largest idle timeout (4000 s) and a margin is not an idle timeout. */
export const MAX_TIMEOUT_ELAPSED_MS = 4_100_000;

// ---- keepalive.ts: the keep-alive band and T̂ --------------------------------------------------------

/** Nothing closes idle connections faster than this; shorter gaps are ordinary reuse. */
export const MIN_RACE_GAP_MS = 250;
/** The highest idle gap considered is a little above the ALB idle timeout (a target at T = idle still races): idle · 1.25 + 5 s. */
export const MAX_RACE_GAP_IDLE_FACTOR = 1.25;
export const MAX_RACE_GAP_EXTRA_MS = 5000;
/** Single linkage on a log scale: neighbours within 20 % are one cluster. */
export const LINK_LOG = 0.2;
/** A jump at the top of a cluster above max(1 %, five typical spacings) is a straggler … */
export const STRAGGLER_MIN_LOG = 0.01;
export const STRAGGLER_SPACINGS = 5;
/** … trimmed while more than this many members remain. */
export const STRAGGLER_MIN_KEPT = 2;
/** Fewer races than this in the band are no band at all. */
export const MIN_BAND_RACES = 2;
/** A cluster smaller than this is too small to split into a sparse lower and a dense upper part. */
export const ONSET_MIN_MEMBERS = 4;
/** Resolution of the log scale for densities: 0.05 %, about Node's ±1 ms close jitter at 2 s. */
export const MIN_WIDTH_LOG = 0.0005;
/** The onset split must beat a single step by this × ln n + SPLIT_PENALTY (BIC-like) … */
export const SPLIT_PENALTY_PER_LOG_N = 2;
export const SPLIT_PENALTY = 3;
/** … and its upper part must be this many times as dense as its lower part. */
export const DENSER_BY = 2;
/** The lowest race overshoots the edge by about one spacing, taken over this many spacings above it (fewer in a smaller band). */
export const EDGE_CORRECTION_SPACINGS = 3;
/**
 * T̂ sits at most this far below the lowest race of the band (its measurement error: Node and nginx close
 * within ±1 ms, the logged times are rounded to the ms, timers drift with the length of the timeout), the
 * same allowance as a known close's band below it (KNOWN_CLOSE_BELOW_*): the edge correction may not move
 * the onset below where a race was seen by more than that. `lowSeconds` still carries the whole correction.
 */
export const ONSET_BELOW_LOWEST_FACTOR = 0.001;
export const ONSET_BELOW_LOWEST_MS = 3;
/** `lowSeconds` is T̂ less the edge correction, but at least this much: dispatch times are rounded to the ms. */
export const MIN_LOW_CORRECTION_MS = 2;
/** Narrowest band the chance count is taken over: 0.5 % of T (30 ms at 6 s), well above Node's ±1 ms. */
export const BAND_MIN_WIDTH = 0.005;
/**
 * The band is chosen where races cluster, so its p-value is corrected for where else a cluster could
 * have formed: about 1,000 bands of BAND_MIN_WIDTH between 250 ms and the ALB timeout; 1e-5 each keeps a
 * false signature below 1 % per group.
 */
export const MAX_P_VALUE = 1e-5;
/** Terms of the Poisson tail summed at most: far past any tail that matters for p < MAX_P_VALUE. */
export const POISSON_MAX_TERMS = 1000;
/** Confidence: high with this many races in the band and p below HIGH_CONFIDENCE_MAX_P_VALUE, medium with MEDIUM_CONFIDENCE_MIN_RACES, low below. */
export const HIGH_CONFIDENCE_MIN_RACES = 10;
export const HIGH_CONFIDENCE_MAX_P_VALUE = 1e-9;
export const MEDIUM_CONFIDENCE_MIN_RACES = 4;
/**
 * The idle gaps that make a race-shaped 502 a keep-alive race: the band with a little room on both sides.
 * Below: a few ms of dispatch-time rounding (lowest · 0.995 − 2 ms, or the onset if lower). Above: the close
 * jitter not yet seen (Node/nginx stall up to ~11 ms, the ALB takes a few ms to see the FIN):
 * max(top · 1.005, lowest · 1.01) + 5 ms.
 */
export const RACE_RANGE_LOW_FACTOR = 0.995;
export const RACE_RANGE_LOW_SLACK_MS = 2;
export const RACE_RANGE_HIGH_FACTOR = 1.005;
export const RACE_RANGE_MIN_HIGH_FACTOR = 1.01;
export const RACE_RANGE_HIGH_SLACK_MS = 5;

// ---- knownCloses.ts: bands at known server close times, exposure ----------------------------------

/**
 * The idle gaps at which a target that closes at a known default C races, as the logs measure them: Node
 * and nginx close within ±1 ms (stalls of 5–11 ms under load), the ALB goes on reusing the connection
 * until it has processed the FIN (a few ms), and the logged times are rounded to the ms. So
 * [C·(1 − 0.1 %) − 3 ms, C·(1 + 0.2 %) + 20 ms]: 5,991–6,032 ms at 6 s, 59.94–60.14 s at 60 s (the
 * factors leave room for timers that drift with the length of the timeout). A server that closes late
 * (Gunicorn's poll loop) adds its lateness to the top.
 */
export const KNOWN_CLOSE_BELOW_FACTOR = 0.001;
export const KNOWN_CLOSE_BELOW_MS = 3;
export const KNOWN_CLOSE_ABOVE_FACTOR = 0.002;
export const KNOWN_CLOSE_ABOVE_MS = 20;
/**
 * A race-shaped 502 in a known band is a keep-alive race (low confidence) when so many in that band would
 * happen by chance with probability below this, after multiplying by the number of bands tested
 * (Bonferroni): at most 1 group in 100 with only stray 502s is called racing.
 */
export const KNOWN_CLOSE_MAX_P_VALUE = 0.01;
/**
 * How much of a band a close time races in: requests dispatched from 0.4 ms before the close until the
 * ALB has processed the FIN, a few ms later (domain.md §1). With requests spread evenly over a band, a
 * target closing in it races on RACE_WINDOW_MS / (band width) of them: the exposure's races per day.
 */
export const RACE_WINDOW_MS = 5;
/**
 * `none` needs every known close to have been exposed enough that a target closing there would have
 * raced this many times in the window: P(no race | Poisson(3)) = 5 %.
 */
export const MIN_EXPECTED_RACES_FOR_NONE = 3;

// ---- races.ts: deploy runs and refusals -----------------------------------------------------------

/** A run of refused connections is this many shape-B 502s on one target or more. */
export const RUN_MIN_EVENTS = 3;
/** Health checks take 10–60 s to take a dead target out of service; requests keep failing meanwhile. */
export const RUN_GAP_MS = 30_000;
/** Graceful shutdown closes idle connections just before the listener goes away. */
export const RUN_MARGIN_MS = 5_000;
/**
 * A lone `-1 -1 -1` 502 after which its pair got no answer for this long is a refusal (a deploy's first
 * or last one, too few for a run): a dead target stays dead for longer than health checks take to notice
 * (10 s and more), while a target that merely closed a connection answers the next request.
 */
export const REFUSAL_SILENCE_MS = 10_000;

// ---- drain.ts: drain windows of targets that stopped listening ------------------------------------

/**
 * Refusals on one target this close together, with no answer from it in between, are one burst. Health
 * checks take a dead target out of service within 10–60 s (RUN_GAP_MS); two minutes leaves room for a
 * target that gets a request only now and then.
 */
export const BURST_GAP_MS = 120_000;
/** Bursts of one group whose targets start failing within this of the last failure before are one rollout. */
export const ROLLOUT_GAP_MS = 10 * 60_000;
/** Targets whose first refusals lie this close together failed at once (scale-in), not one after another. */
export const SIMULTANEOUS_MS = 30_000;
/** Targets tracked for drain windows (first and last appearance and answer): one small record each. */
export const MAX_TRACKED_TARGETS = 100_000;
/** `target_reset` 502s held for drain bursts (requests cut while served, as a target is killed): later ones are counted. */
export const MAX_HELD_RESETS = 20_000;
/** Drain episodes reported per target group (the first ones by time). */
export const MAX_DRAIN_BURSTS = 100;
/** The preStop sleep (or drain before shutdown) the advice derives: the longest measured window plus this. */
export const DRAIN_MARGIN_SECONDS = 5;

// ---- recommend.ts -----------------------------------------------------------------------------------

/** AWS and practice: a target's keep-alive should outlast the ALB idle timeout by this much (65 s for the default 60 s). */
export const KEEPALIVE_MARGIN_SECONDS = 5;
