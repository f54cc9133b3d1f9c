import { describe, expect, it } from 'vitest';
import { GroupState } from '../../src/analyze/groups.js';
import { recommend, recommendedKeepAliveSeconds } from '../../src/analyze/recommend.js';
import { matchServers, SERVERS } from '../../src/analyze/servers.js';
import type { CauseClass } from '../../src/report/model.js';

describe('matchServers', () => {
  const ids = (t: number, low = t, high = t): string[] => matchServers(t, low, high).map((s) => s.id);
  const table: [name: string, estimate: [number, number, number], includes: string[], excludes: string[]][] = [
    ['Node 20+ defaults race at about 6 s', [6.0, 5.998, 6.006], ['nodejs', 'express', 'nextjs', 'koa', 'nestjs', 'hapi'], ['uvicorn', 'gunicorn']],
    ['older Node, Uvicorn, Apache at 5 s', [5.0, 4.99, 5.01], ['uvicorn', 'hypercorn', 'apache', 'actix-web', 'cowboy', 'nodejs-legacy'], ['nodejs']],
    ['Gunicorn at 2 s with its late spread', [2.0, 1.98, 2.95], ['gunicorn'], ['uwsgi-http11-socket']],
    ['Puma < 7 and Tomcat stock server.xml at 20 s', [20, 19.99, 20.01], ['puma', 'tomcat-server-xml'], []],
    ['Jetty, Thin, hyper, Elysia at 30 s', [30, 29.99, 30.02], ['jetty', 'thin', 'hyper', 'elysia'], ['bun']],
    ['Tomcat, Spring Boot, Undertow, Daphne, Bandit at 60 s', [60, 59.99, 60.01], ['tomcat', 'spring-boot', 'undertow', 'daphne', 'bandit'], []],
    ['Bun and uWebSockets.js at 10 s', [10, 9.99, 10.01], ['bun', 'uwebsockets-js'], ['nodejs', 'puma']],
    ['Sanic before 23.6 among the 5 s servers', [5.0, 4.99, 5.01], ['sanic-legacy'], ['bun']],
    ['Sanic 23.6+ (120 s), aiohttp (75 s), Go and fasthttp (no default) never match a racing estimate', [60, 59.9, 60.1], [], ['aiohttp', 'fasthttp', 'go-net-http', 'nginx']],
    ['nothing at 13 s', [13, 12.99, 13.01], [], SERVERS.map((s) => s.id)],
  ];
  it.each(table)('%s', (_name, [t, low, high], includes, excludes) => {
    const found = ids(t, low, high);
    for (const id of includes) expect(found).toContain(id);
    for (const id of excludes) expect(found).not.toContain(id);
  });

  it('every server has a snippet that carries the value', () => {
    for (const server of SERVERS) expect(server.snippet(65)).toMatch(/65/);
  });
});

describe('recommendedKeepAliveSeconds', () => {
  it('is the ALB idle timeout + 5 s for races below it', () => {
    expect(recommendedKeepAliveSeconds(60, 6, 6.01)).toBe(65);
    expect(recommendedKeepAliveSeconds(30, 2, 3)).toBe(35);
  });
  it('gives more margin when races sit at or above the ALB idle timeout', () => {
    expect(recommendedKeepAliveSeconds(60, 60, 60.01)).toBe(75);
    expect(recommendedKeepAliveSeconds(60, 65, 65.02)).toBe(76);
  });
});

function group(counts: Partial<Record<CauseClass, number>>, requests = 100_000, estimatedSeconds: number | null = null): GroupState {
  const g = new GroupState({ arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef', requests, classes: {}, idleRequests: [], idleRaces: [] });
  for (const [cls, n] of Object.entries(counts)) for (let i = 0; i < n!; i++) g.count(cls as CauseClass);
  if (estimatedSeconds !== null) {
    g.fit = {
      estimate: { estimatedSeconds, lowSeconds: estimatedSeconds - 0.002, highSeconds: estimatedSeconds + 0.006, confidence: 'high' },
      raceGapRangeMs: [estimatedSeconds * 1000 - 10, estimatedSeconds * 1000 + 30],
      bandRaces: 10,
      pValue: 1e-20,
    };
  }
  return g;
}

describe('recommend', () => {
  const DAY = 86_400_000;

  it('tells a racing Node group what to set, to what, and what it removes, as numbers', () => {
    const [rec] = recommend({ groups: [group({ keepalive_race: 40 }, 400_000, 6)], albIdleTimeoutSeconds: 60, spanMs: DAY / 2 });
    expect(rec).toMatchObject({
      kind: 'keepalive',
      targetGroupName: 'api',
      targetKeepAliveSeconds: 65,
      albIdleTimeoutSeconds: 60,
      estimatedSeconds: 6,
      racesAtOrAboveAlbIdleTimeout: false,
      racesPerDay: 80,
      events: 40,
      requests: 400_000,
    });
    expect(rec!.rateOfRequests).toBeCloseTo(1e-4);
    if (rec!.kind !== 'keepalive') throw new Error('expected keep-alive advice');
    expect(rec!.matchedServers.map((s) => s.profile.id)).toContain('nodejs');
    expect(rec!.servers.find((s) => s.profile.id === 'nodejs')!.snippet).toBe('server.keepAliveTimeout = 65000;');
  });

  it('names Bun and uWebSockets.js, with their settings, for races at 10 s', () => {
    const [rec] = recommend({ groups: [group({ keepalive_race: 12 }, 100_000, 10)], albIdleTimeoutSeconds: 60, spanMs: DAY });
    if (rec!.kind !== 'keepalive') throw new Error('expected keep-alive advice');
    expect(rec!.matchedServers.map((s) => s.profile.id)).toEqual(['bun', 'uwebsockets-js']);
    expect(rec!.servers.find((s) => s.profile.id === 'bun')!.snippet).toBe('Bun.serve({ idleTimeout: 65, fetch })');
    expect(rec!.servers.find((s) => s.profile.id === 'uwebsockets-js')!.snippet).toMatch(/HTTP_IDLE_TIMEOUT_S.*HttpContext\.h.*65/);
  });

  it('flags races at or above the ALB idle timeout', () => {
    const [rec] = recommend({ groups: [group({ keepalive_race: 10 }, 100_000, 60)], albIdleTimeoutSeconds: 60, spanMs: DAY });
    expect(rec).toMatchObject({ kind: 'keepalive', racesAtOrAboveAlbIdleTimeout: true, targetKeepAliveSeconds: 75 });
  });

  it('chooses the Gunicorn setting for races at 2 s', () => {
    const [rec] = recommend({ groups: [group({ keepalive_race: 90 }, 100_000, 2)], albIdleTimeoutSeconds: 60, spanMs: DAY });
    if (rec!.kind !== 'keepalive') throw new Error('expected keep-alive advice');
    const gunicorn = rec!.servers.find((s) => s.profile.id === 'gunicorn')!;
    expect(gunicorn.snippet).toMatch(/--keep-alive 65/);
    expect(gunicorn.profile.note).toMatch(/non-sync worker/);
  });

  it('gives no keep-alive advice to a group without keep-alive races', () => {
    const recs = recommend({
      groups: [group({ target_connection_error: 30, target_timeout: 4, closed_connection_race: 12 })],
      albIdleTimeoutSeconds: 60,
      spanMs: DAY,
    });
    expect(recs.map((r) => [r.kind, r.events])).toEqual([['deploy', 30], ['closed_connections', 12], ['slow_targets', 4]]);
    expect(recs.some((r) => r.kind === 'keepalive')).toBe(false);
  });

  it('falls back to knobs that any value can come from when no default matches', () => {
    const [rec] = recommend({ groups: [group({ keepalive_race: 10 }, 100_000, 13)], albIdleTimeoutSeconds: 60, spanMs: DAY });
    if (rec!.kind !== 'keepalive') throw new Error('expected keep-alive advice');
    expect(rec!.matchedServers).toEqual([]);
    expect(rec!.servers.map((s) => s.profile.id)).toEqual(['nginx', 'go-net-http', 'nodejs']);
  });
});
