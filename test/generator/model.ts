// Types shared by the generator's modules: the scenario a caller configures, the raw
// entries the simulation emits, and the truth it writes next to the logs.

export const LAYOUTS = ['2016', '2018', '2020', '2024', '2025', '2026'] as const;
export type Layout = (typeof LAYOUTS)[number];
export type LayoutOption = Layout | 'mixed';

/** Fields per line for each layout (domain.md §2). */
export const LAYOUT_FIELD_COUNT: Readonly<Record<Layout, number>> = {
  '2016': 20,
  '2018': 25,
  '2020': 29,
  '2024': 30,
  '2025': 33,
  '2026': 34,
};

export const TRUTH_CLASSES = [
  'ok',
  'keepalive_race',
  'closed_connection_race',
  'target_connection_error',
  'target_reset',
  'target_5xx',
  'target_timeout',
  'connect_timeout',
  'no_healthy_targets',
  'lambda_error',
  'client_closed',
  'alb_rejected',
  /** The target answered with bytes that are not HTTP (a crashed worker's garbage, a TLS mismatch): 502, no status. */
  'target_malformed_response',
] as const;
export type TruthClass = (typeof TRUTH_CLASSES)[number];

/** Why the target closed the connection a race hit. */
export type CloseCause = 'idle' | 'max_requests' | 'shutdown' | 'silent_drop';

export type ServerProfile = 'node' | 'nginx' | 'gunicorn';
/** Which idle connection a node reuses: most recently used, or the one idle longest. */
export type PoolPolicy = 'mru' | 'oldest';
export type RaceShape = 'A' | 'B' | 'C';
export type LineOrder = 'time' | 'shuffled';

export interface ServerSpec {
  profile: ServerProfile;
  /** The configured keep-alive timeout (Node: keepAliveTimeout; it closes 1000 ms later). */
  keepAliveTimeoutMs: number;
  /** nginx keepalive_requests / Node maxRequestsPerSocket; 0 = no limit. */
  maxRequestsPerConnection: number;
  workersPerTarget: number;
  /** Gunicorn --max-requests: a worker restarts after this many requests; 0 = never. */
  workerMaxRequests: number;
  workerMaxRequestsJitter: number;
  /**
   * Idle connections dropped without a FIN reaching the ALB (a firewall or NAT forgetting an idle flow, a
   * target restarted behind it), per hour of idle time: the ALB's next write on one meets a RST. Such
   * drops have no timing signature: a connection idle t was dropped with chance 1 − exp(−rate · t).
   * Optional, 0 when absent.
   */
  silentDropsPerIdleHour?: number;
  /**
   * The keep-alive timeout changes at a known moment (a fix rolled out everywhere at once, or a change that
   * shortened it): from `atHours` after the scenario start, connections going idle close by the new
   * timeout. Optional, no change when absent.
   */
  keepAliveChange?: { atHours: number; keepAliveTimeoutMs: number };
}

export interface RouteSpec {
  path: string;
  weight: number;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  latencyMedianMs: number;
  /** Log-space sigma of the lognormal latency. */
  latencySigma: number;
  responseBytesMedian: number;
}

export interface DeploySpec {
  /** Deploy start times, hours after the scenario start. */
  atHours: number[];
  /** Extra deploys at random times (Poisson), per day. */
  perDay: number;
  /** Each target of the group is down this long, one after another (rolling). */
  downSeconds: [number, number];
  gapSeconds: [number, number];
}

/** Scale-in or node removal with no deploy: `targets` targets stop listening at once and never come back. */
export interface ScaleInSpec {
  /** Times, hours after the scenario start. */
  atHours: number[];
  targets: number;
}

/** How a target came to stop listening while the ALB still routed to it. */
export type OutageKind = 'deploy' | 'scale-in' | 'misconfiguration';

export interface GroupSpec {
  kind: 'instance' | 'lambda';
  /** Share of routed requests (normalised over all groups). */
  share: number;
  rulePriority: number;
  routes: RouteSpec[];
  targetCount: number;
  targetPort: number;
  server: ServerSpec;
  poolPolicy: PoolPolicy;
  targetSelection: 'round_robin' | 'random';
  target5xxRate: number;
  /** Target drops the connection while working (crash, OOM, worker timeout). */
  targetResetRate: number;
  /**
   * Target drops the connection within milliseconds of the request (a worker dying as it reads it): the
   * 502 looks race-shaped. Optional, 0 when absent.
   */
  fastResetRate?: number;
  /** Target answers with something that is not HTTP: 502 with no target status. Optional, 0 when absent. */
  malformedResponseRate?: number;
  /** Target never answers: 504 at the ALB idle timeout, or 460 if the client gives up first. */
  hangRate: number;
  /** Per new target connection: SYN unanswered for 10 s → 504. */
  connectTimeoutRate: number;
  lambdaErrorRate: number;
  deploys: DeploySpec;
  /** Targets removed at once, no deploy (optional, none when absent). */
  scaleIn?: ScaleInSpec;
  /**
   * Nothing the group's targets are sent is ever answered (wrong port or protocol, a security group that
   * refuses the ALB): every target fails its health checks from the start, so the ALB routes to all of them
   * (fail open) and every request is refused. Optional, false when absent.
   */
  misconfigured?: boolean;
  /** Windows with no registered target at all → 503. */
  noTargetWindows: { atHours: number[]; minutes: number };
}

export interface TrafficSpec {
  /** Mean request rate before the diurnal curve, quiet periods and bursts, per second. */
  ratePerSec: number;
  /** 0 = flat; 0.8 = the trough is 20 % of the mean rate scale, the peak 180 %. */
  diurnalAmplitude: number;
  peakHourUtc: number;
  quietPerDay: number;
  quietMinutes: [number, number];
  quietFactor: number;
  burstsPerHour: number;
  burstSeconds: [number, number];
  burstFactor: [number, number];
  clientCount: number;
  ipv6Share: number;
  /** Share of clients with their own request timeout (they give up → 460). */
  clientTimeoutShare: number;
  clientTimeoutSeconds: [number, number];
  /** Share of requests the ALB rejects as malformed (400). */
  malformedRate: number;
  /** Chance a client reuses its open connection (same ALB node) for its next request. */
  clientKeepAliveShare: number;
  /**
   * Lasting changes of the request rate: from `atHours` after the start to the end, the rate is multiplied
   * by `factor` (0.5: traffic halves). Optional, none when absent (no random draws, so presets keep their streams).
   */
  rateChanges?: { atHours: number; factor: number }[];
}

export interface Scenario {
  name: string;
  description: string;
  account: string;
  region: string;
  lbName: string;
  hostname: string;
  startIso: string;
  durationMs: number;
  albIdleTimeoutMs: number;
  nodeCount: number;
  layout: LayoutOption;
  healthCheck: { detectSeconds: [number, number]; recoverSeconds: [number, number] };
  raceShapeWeights: Record<RaceShape, number>;
  /** How long the ALB takes to process a target's FIN, drawn per close. */
  finDelayMs: [number, number];
  connectTimeoutMs: number;
  traffic: TrafficSpec;
  groups: Record<string, GroupSpec>;
}

/** Deep-partial override of a scenario, as accepted by deepMerge / withOverrides. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface TlsInfo {
  cipher: string;
  protocol: string;
}

/** What the ALB saw of a request, decided at arrival. */
export interface RequestInfo {
  type: 'http' | 'https' | 'h2';
  method: string;
  /** The URI as written in the request field (may hold a raw space). */
  uri: string;
  userAgent: string;
  clientIpPort: string;
  tls: TlsInfo | null;
  receivedBytes: number;
  traceId: string;
  connTraceId: string;
  certSessionReused: boolean;
}

/** One access-log entry before formatting, with its truth. Times are ms since the scenario start. */
export interface SimEntry {
  cls: TruthClass;
  groupName: string | null;
  nodeIndex: number;
  /** `ip:port` of the target written in the log, or null for `-`. */
  target: string | null;
  receivedMs: number;
  /** Durations in ms; -1 = the log's -1. */
  rptMs: number;
  tptMs: number;
  rsptMs: number;
  timeMs: number;
  elbStatus: number;
  targetStatus: number | null;
  sentBytes: number;
  errorReason: string;
  request: RequestInfo | null;
  connectionId: number | null;
  connectionIdleMs: number | null;
  closeCause: CloseCause | null;
  raceShape: RaceShape | null;
}

export interface Label {
  file: string;
  line: number;
  class: TruthClass;
  targetGroup: string | null;
  target: string | null;
  node: string | null;
  connectionId: number | null;
  connectionIdleMs: number | null;
  closeCause: CloseCause | null;
}

export type ClassCounts = Record<TruthClass, number>;

export function emptyCounts(): ClassCounts {
  const counts = {} as ClassCounts;
  for (const cls of TRUTH_CLASSES) counts[cls] = 0;
  return counts;
}

export interface DeployTruth {
  target: string;
  /** Why the target stopped listening. */
  kind: OutageKind;
  downFrom: string;
  /** null: it never listens again (scale-in, misconfiguration). */
  downUntil: string | null;
  outOfServiceFrom: string;
  /** null: never back in service. */
  backInServiceAt: string | null;
  /**
   * The true drain window: how long the ALB kept routing requests to the target after it stopped listening
   * (until the health check took it out of service, it listened again, or the scenario ended; a misconfigured
   * group is routed to throughout, fail open), in seconds.
   */
  routedWhileDownSeconds: number;
}

export interface GroupTruth {
  name: string;
  arn: string;
  kind: 'instance' | 'lambda';
  serverProfile: ServerProfile | null;
  keepAliveTimeoutMs: number | null;
  /** The true T: idle age at which the target closes (Node: keepAliveTimeoutMs + 1000). */
  idleCloseMs: number | null;
  /** Idle ages at which keep-alive races can occur, from the server's close jitter. */
  raceIdleRangeMs: [number, number] | null;
  /** False when the ALB always closes first (T above the ALB idle timeout). */
  keepaliveRacesPossible: boolean;
  poolPolicy: PoolPolicy | null;
  targetSelection: string | null;
  maxRequestsPerConnection: number;
  workersPerTarget: number;
  workerMaxRequests: number;
  targets: string[];
  requests: number;
  counts: ClassCounts;
  raceShapes: Record<RaceShape, number>;
  keepaliveRaceIdleMs: { min: number; median: number; max: number } | null;
  deploys: DeployTruth[];
  noTargetWindows: { from: string; until: string }[];
}

export interface FileTruth {
  key: string;
  layout: Layout;
  node: string | null;
  /** 1-based number of this part's first line (the concatenated file holds many parts). */
  firstLine: number;
  lines: number;
  bytes: number;
}

export interface Truth {
  generator: string;
  scenario: string;
  description: string;
  seed: string;
  start: string;
  end: string;
  durationMs: number;
  albIdleTimeoutMs: number;
  layout: LayoutOption;
  order: LineOrder;
  nodeInLogs: boolean;
  loadBalancer: { name: string; id: string; account: string; region: string; elb: string; nodes: string[] };
  groups: GroupTruth[];
  /** Requests that matched no target group (malformed, rejected by the ALB). */
  unrouted: ClassCounts;
  totals: { lines: number; counts: ClassCounts; uncompressedBytes: number };
  files: FileTruth[];
  junk: string[];
  /** The scenario exactly as simulated: with the seed, it reproduces every byte. */
  config: Scenario;
}
