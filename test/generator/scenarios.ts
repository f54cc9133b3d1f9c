// Scenario presets and the helpers to adjust them. A preset is plain data: tests and
// the CLI start from one and override what they need with deepMerge / withOverrides.

import type { DeepPartial, GroupSpec, LayoutOption, PoolPolicy, RouteSpec, Scenario, ServerSpec } from './model.js';

const HOUR_MS = 3_600_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Recursive merge: objects merge key by key, arrays and scalars replace, undefined is ignored. */
export function deepMerge<T>(base: T, override: DeepPartial<NoInfer<T>> | undefined): T {
  if (override === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override as T);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = key in out ? deepMerge(out[key], value as DeepPartial<unknown>) : structuredClone(value);
  }
  return out as T;
}

function server(profile: ServerSpec['profile'], keepAliveTimeoutMs: number, extra: Partial<ServerSpec> = {}): ServerSpec {
  return { profile, keepAliveTimeoutMs, maxRequestsPerConnection: 0, workersPerTarget: 1, workerMaxRequests: 0, workerMaxRequestsJitter: 0, ...extra };
}

function route(method: RouteSpec['method'], path: string, weight: number, latencyMedianMs: number, latencySigma = 0.6, responseBytesMedian = 2500): RouteSpec {
  return { method, path, weight, latencyMedianMs, latencySigma, responseBytesMedian };
}

const API_ROUTES: RouteSpec[] = [
  route('GET', '/api/v1/products/{id}', 40, 35, 0.5, 1800),
  route('GET', '/api/v1/search?q={q}&page=1', 20, 140, 0.7, 9000),
  route('POST', '/api/v1/cart', 12, 60, 0.5, 600),
  route('GET', '/api/v1/orders/{id}', 15, 80, 0.6, 2400),
  route('DELETE', '/api/v1/cart/items/{id}', 5, 45, 0.5, 120),
  // Slow reports: their tail crosses client timeouts (460) now and then.
  route('GET', '/api/v1/reports/{id}?format=csv', 3, 2500, 1.0, 60000),
];

const WEB_ROUTES: RouteSpec[] = [
  route('GET', '/', 25, 12, 0.5, 24000),
  route('GET', '/products/{id}', 40, 25, 0.5, 31000),
  route('GET', '/static/app.{hex}.js', 20, 3, 0.6, 180000),
  route('GET', '/static/styles.{hex}.css', 10, 3, 0.6, 42000),
  route('POST', '/checkout', 5, 150, 0.6, 8000),
];

const APP_ROUTES: RouteSpec[] = [
  route('GET', '/v2/accounts/{id}', 50, 45, 0.6, 1500),
  route('POST', '/v2/events', 35, 20, 0.5, 200),
  route('GET', '/v2/export/{id}', 15, 600, 0.9, 40000),
];

const LAMBDA_ROUTES: RouteSpec[] = [route('POST', '/hooks/payment', 70, 90, 0.7, 300), route('GET', '/hooks/status', 30, 25, 0.5, 150)];

const BASE_GROUP: GroupSpec = {
  kind: 'instance',
  share: 1,
  rulePriority: 10,
  routes: API_ROUTES,
  targetCount: 3,
  targetPort: 8080,
  server: server('nginx', 75_000),
  poolPolicy: 'mru',
  targetSelection: 'round_robin',
  target5xxRate: 0.001,
  targetResetRate: 0,
  hangRate: 0,
  connectTimeoutRate: 0,
  lambdaErrorRate: 0,
  deploys: { atHours: [], perDay: 0, downSeconds: [40, 90], gapSeconds: [5, 20] },
  noTargetWindows: { atHours: [], minutes: 2 },
};

/** A group spec from the defaults plus what differs. */
export function defineGroup(spec: DeepPartial<GroupSpec>): GroupSpec {
  return deepMerge(BASE_GROUP, spec);
}

const BASE_SCENARIO: Scenario = {
  name: 'base',
  description: '',
  account: '123456789012',
  region: 'us-east-1',
  lbName: 'shop-prod',
  hostname: 'shop.example.com',
  startIso: '2026-03-14T21:00:00Z',
  durationMs: 6 * HOUR_MS,
  albIdleTimeoutMs: 60_000,
  nodeCount: 3,
  layout: '2026',
  healthCheck: { detectSeconds: [10, 30], recoverSeconds: [10, 30] },
  raceShapeWeights: { A: 0.7, B: 0.1, C: 0.2 },
  finDelayMs: [1, 8],
  connectTimeoutMs: 10_000,
  traffic: {
    ratePerSec: 5,
    diurnalAmplitude: 0.6,
    peakHourUtc: 15,
    quietPerDay: 6,
    quietMinutes: [5, 25],
    quietFactor: 0.08,
    burstsPerHour: 2,
    burstSeconds: [20, 120],
    burstFactor: [3, 8],
    clientCount: 3000,
    ipv6Share: 0.08,
    clientTimeoutShare: 0.25,
    clientTimeoutSeconds: [8, 30],
    malformedRate: 0.0002,
    clientKeepAliveShare: 0.5,
  },
  groups: {},
};

export function defineScenario(spec: DeepPartial<Scenario> & { groups: Record<string, GroupSpec> }): Scenario {
  const { groups, ...rest } = spec;
  return { ...deepMerge(BASE_SCENARIO, rest as DeepPartial<Scenario>), groups };
}

const nodeApi = (extra: DeepPartial<GroupSpec> = {}): GroupSpec =>
  defineGroup(deepMerge<DeepPartial<GroupSpec>>({ share: 0.6, rulePriority: 10, routes: API_ROUTES, targetPort: 3000, server: server('node', 5000), hangRate: 0.0004 }, extra));
const nginxWeb = (extra: DeepPartial<GroupSpec> = {}): GroupSpec =>
  defineGroup(deepMerge<DeepPartial<GroupSpec>>({ share: 0.4, rulePriority: 0, routes: WEB_ROUTES, targetPort: 80, server: server('nginx', 75_000) }, extra));

export const PRESETS = {
  sample: defineScenario({
    name: 'sample',
    description:
      'Six night hours on two ALB nodes with quiet periods and bursts; "api" is a Node.js service (keepAliveTimeout 5 s, ' +
      'so it closes at 6 s) that races and gets one rolling deploy; "web" is nginx (75 s) and never races; a few 504s and 460s.',
    nodeCount: 2,
    traffic: { ratePerSec: 0.85, diurnalAmplitude: 0.5, peakHourUtc: 21, quietPerDay: 12, burstsPerHour: 3 },
    groups: {
      api: nodeApi({ share: 0.75, hangRate: 0.0003, deploys: { atHours: [2.2] } }),
      web: nginxWeb({ share: 0.25 }),
    },
  }),
  node: defineScenario({
    name: 'node',
    description: 'Node.js targets with the default keepAliveTimeout (5 s): races at an idle age of about 6 s.',
    traffic: { ratePerSec: 4 },
    groups: { api: nodeApi({ share: 0.75 }), web: nginxWeb({ share: 0.25 }) },
  }),
  gunicorn: defineScenario({
    name: 'gunicorn',
    description: 'Gunicorn gthread targets with --keep-alive 2: races spread over [2 s, 3 s] idle, late by its poll loop.',
    traffic: { ratePerSec: 6 },
    groups: {
      app: defineGroup({ share: 1, rulePriority: 5, routes: APP_ROUTES, targetPort: 8000, targetCount: 4, server: server('gunicorn', 2000, { workersPerTarget: 4 }) }),
    },
  }),
  healthy: defineScenario({
    name: 'healthy',
    description: 'Keep-alive set right (65 s and 75 s, above the 60 s ALB idle timeout): deploy 502s and a few 504s, zero keep-alive races.',
    traffic: { ratePerSec: 5 },
    groups: {
      api: nodeApi({ server: server('node', 65_000), hangRate: 0.0005, deploys: { atHours: [1.5] } }),
      web: nginxWeb({ deploys: { atHours: [3.5] } }),
    },
  }),
  maxRequests: defineScenario({
    name: 'maxRequests',
    description: 'Long keep-alive but request-count closes: Gunicorn --max-requests 300 and nginx keepalive_requests 100; races with no timing signature.',
    // Busy (node, target) pairs: a request-count close only races if the next request comes within ms.
    durationMs: 2 * HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 60, quietPerDay: 2 },
    groups: {
      app: defineGroup({
        share: 0.5, rulePriority: 5, routes: APP_ROUTES, targetPort: 8000, targetCount: 2,
        server: server('gunicorn', 75_000, { workersPerTarget: 4, workerMaxRequests: 300, workerMaxRequestsJitter: 50 }),
      }),
      web: nginxWeb({ share: 0.5, targetCount: 2, server: server('nginx', 75_000, { maxRequestsPerConnection: 100 }) }),
    },
  }),
  mixed: defineScenario({
    name: 'mixed',
    description: 'Every cause at once: Node (6 s), Gunicorn (2 s, --max-requests), nginx (75 s), a 60 s server tied with the ALB, and Lambda.',
    traffic: { ratePerSec: 8, malformedRate: 0.0005 },
    groups: {
      api: nodeApi({ share: 0.35, targetResetRate: 0.0002, deploys: { atHours: [4.5] } }),
      app: defineGroup({
        share: 0.2, rulePriority: 5, routes: APP_ROUTES, targetPort: 8000, poolPolicy: 'oldest', connectTimeoutRate: 0.002,
        server: server('gunicorn', 2000, { workersPerTarget: 4, workerMaxRequests: 1000, workerMaxRequestsJitter: 100 }),
      }),
      web: nginxWeb({ share: 0.3, target5xxRate: 0.002, server: server('nginx', 75_000, { maxRequestsPerConnection: 1000 }), deploys: { atHours: [1.2] } }),
      legacy: defineGroup({
        share: 0.1, rulePriority: 20, targetCount: 2, routes: APP_ROUTES, hangRate: 0.001,
        server: server('nginx', 60_000), noTargetWindows: { atHours: [3], minutes: 2 },
      }),
      hooks: defineGroup({ kind: 'lambda', share: 0.05, rulePriority: 30, routes: LAMBDA_ROUTES, targetCount: 0, lambdaErrorRate: 0.01 }),
    },
  }),
  quiet: defineScenario({
    name: 'quiet',
    description:
      'A quiet day: one Node.js service (keepAliveTimeout 5 s, so it closes at 6 s) on two targets with mostly idle ' +
      'traffic, so idle gaps near 6 s are rare and so are races: about one or two a day.',
    startIso: '2026-03-14T00:00:00Z',
    durationMs: 24 * HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 0.12, diurnalAmplitude: 0.7, peakHourUtc: 14, quietPerDay: 4, burstsPerHour: 0.5, burstFactor: [2, 4], clientCount: 300 },
    groups: { api: nodeApi({ share: 1, targetCount: 2, hangRate: 0 }) },
  }),
  manyTargets: defineScenario({
    name: 'manyTargets',
    description:
      'A busier day spread over 40 targets (keep-alive 5 s, closing precisely like Apache, Uvicorn or actix-web): each ' +
      '(node, target) pair sees a request every minute or so, so idle gaps near 5 s are rare and races too; workers that die ' +
      'as they read a request, malformed responses and idle connections dropped silently (a NAT forgetting an idle flow) ' +
      'make other race-shaped 502s that outnumber the races.',
    startIso: '2026-03-14T00:00:00Z',
    durationMs: 24 * HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 1.2, diurnalAmplitude: 0.5, quietPerDay: 2, burstsPerHour: 1, clientCount: 4000 },
    groups: {
      api: defineGroup({
        share: 1, rulePriority: 10, routes: API_ROUTES, targetPort: 8000, targetCount: 40,
        server: server('nginx', 5000, { silentDropsPerIdleHour: 2 }), fastResetRate: 0.0001, malformedResponseRate: 0.00005,
      }),
    },
  }),
  healthyRare: defineScenario({
    name: 'healthyRare',
    description:
      'Keep-alive set right (Node.js at 65 s, nginx at 75 s) and still a few 502s a day: workers that die as they read a ' +
      'request and malformed responses, on connections idle for any time, some of them near 2 s, 5 s or 6 s by chance. ' +
      'No keep-alive race is possible.',
    startIso: '2026-03-14T00:00:00Z',
    durationMs: 24 * HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 0.4, diurnalAmplitude: 0.6, quietPerDay: 4, burstsPerHour: 1, clientCount: 1000 },
    groups: {
      api: nodeApi({ share: 0.6, targetCount: 2, hangRate: 0, server: server('node', 65_000), fastResetRate: 0.0004, malformedResponseRate: 0.0003 }),
      web: nginxWeb({ share: 0.4, targetCount: 2, fastResetRate: 0.0003, malformedResponseRate: 0.0002 }),
    },
  }),
  // Targets leaving: busy enough (about 8 requests/s per target, flat) that the first and last refused
  // request of each outage fall within a fraction of a second of when the target stopped listening and of
  // when the ALB stopped routing to it.
  rollout: defineScenario({
    name: 'rollout',
    description:
      'A rolling deploy with too short a drain on an EKS-style group (the AWS Load Balancer Controller names it k8s-…): ' +
      'each pod stops listening at once and the ALB keeps routing to it until its health check fails 10–30 s later; ' +
      'then it comes back. One target at a time.',
    lbName: 'k8s-shop',
    durationMs: HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 25, diurnalAmplitude: 0, quietPerDay: 0, burstsPerHour: 0 },
    groups: { api: nodeApi({ share: 1, server: server('node', 65_000), hangRate: 0, deploys: { atHours: [0.3] } }) },
  }),
  scaleIn: defineScenario({
    name: 'scaleIn',
    description:
      'Scale-in with no deploy: two of three ECS-style targets (bridge mode, ephemeral host ports) stop listening at the ' +
      'same moment and never come back; the ALB routes to each until its health check fails.',
    lbName: 'orders',
    durationMs: HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 25, diurnalAmplitude: 0, quietPerDay: 0, burstsPerHour: 0 },
    groups: { api: nodeApi({ share: 1, targetPort: 49170, server: server('node', 65_000), hangRate: 0, scaleIn: { atHours: [0.4], targets: 2 } }) },
  }),
  misconfigured: defineScenario({
    name: 'misconfigured',
    description:
      'A misconfigured group beside a healthy one: nothing sent to "admin" is ever answered (wrong port, or a security ' +
      'group that refuses the ALB), so every request to it fails from the first.',
    durationMs: HOUR_MS,
    nodeCount: 2,
    traffic: { ratePerSec: 10, diurnalAmplitude: 0, quietPerDay: 0, burstsPerHour: 0 },
    groups: {
      api: nodeApi({ share: 0.8, server: server('node', 65_000), hangRate: 0 }),
      admin: defineGroup({ share: 0.2, rulePriority: 20, routes: APP_ROUTES, targetPort: 8443, targetCount: 2, misconfigured: true }),
    },
  }),
  bench: defineScenario({
    name: 'bench',
    description: 'Large and fast to generate (about 700 MB in 8 daytime hours): the mixed groups at a high rate, for throughput benchmarks.',
    startIso: '2026-03-16T08:00:00Z',
    durationMs: 8 * HOUR_MS,
    traffic: { ratePerSec: 30, quietPerDay: 3, burstsPerHour: 1, clientCount: 20_000 },
    groups: {
      api: nodeApi({ share: 0.45, targetCount: 6, deploys: { perDay: 2 } }),
      app: defineGroup({
        share: 0.2, rulePriority: 5, routes: APP_ROUTES, targetPort: 8000, targetCount: 4,
        server: server('gunicorn', 2000, { workersPerTarget: 4, workerMaxRequests: 1000, workerMaxRequestsJitter: 100 }),
      }),
      web: nginxWeb({ share: 0.3, targetCount: 6, deploys: { perDay: 1 } }),
      hooks: defineGroup({ kind: 'lambda', share: 0.05, rulePriority: 30, routes: LAMBDA_ROUTES, targetCount: 0, lambdaErrorRate: 0.01 }),
    },
  }),
} satisfies Record<string, Scenario>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

export interface ScenarioOverrides {
  poolPolicy?: PoolPolicy;
  durationMs?: number;
  startIso?: string;
  ratePerSec?: number;
  layout?: LayoutOption;
}

/** The knobs every preset exposes; `poolPolicy` applies to every instance group. */
export function withOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const out = structuredClone(scenario);
  if (overrides.durationMs !== undefined) out.durationMs = overrides.durationMs;
  if (overrides.startIso !== undefined) out.startIso = overrides.startIso;
  if (overrides.ratePerSec !== undefined) out.traffic.ratePerSec = overrides.ratePerSec;
  if (overrides.layout !== undefined) out.layout = overrides.layout;
  if (overrides.poolPolicy !== undefined) for (const group of Object.values(out.groups)) group.poolPolicy = overrides.poolPolicy;
  return out;
}

/** A preset by name, deep-merged with an override object, then the common knobs. */
export function scenario(name: PresetName, override?: DeepPartial<Scenario>, knobs: ScenarioOverrides = {}): Scenario {
  return withOverrides(deepMerge(PRESETS[name], override), knobs);
}
