/**
 * Target servers by the idle age at which they close a keep-alive connection out of the box, with the
 * option that changes it and a line that sets it. From the project's server table (servers.md rows and
 * sources) and domain.md §7. Only defaults at or below the ALB's 60 s race; a server whose default is
 * longer (nginx 75 s, Fastify 72 s, Kestrel 130 s, …) can still race when someone shortened it, which is
 * why recommendations fall back to GENERIC_SERVER_IDS when nothing matches.
 */

export interface ServerProfile {
  id: string;
  name: string;
  /** Idle age at which the default configuration closes, in seconds (Node: keepAliveTimeout 5 s + 1 s buffer). */
  closesAtSeconds: number;
  /** How late after closesAtSeconds it may close (Gunicorn's gthread loop notices up to its 1 s poll late); 0 when absent. */
  closesLateBySeconds?: number;
  /** The option, flag or property. */
  setting: string;
  /** A ready line that makes the server keep idle connections `seconds` long. */
  snippet(seconds: number): string;
  /** What must move with it, when anything does. */
  note?: string;
}

const NODE_NOTE =
  'Node closes keepAliveTimeout + 1 s after the last response (keepAliveTimeoutBuffer since 22.19/24.6); ' +
  'keep headersTimeout ≤ requestTimeout (300000 by default) or createServer() throws on Node ≥ 18.';
const ms = (seconds: number): string => String(Math.round(seconds * 1000));

export const SERVERS: readonly ServerProfile[] = [
  // ≈ 6 s: Node.js 20+ defaults (5 s keepAliveTimeout + 1 s socket buffer) and everything built on its http.Server.
  { id: 'nodejs', name: 'Node.js http/https', closesAtSeconds: 6, setting: 'server.keepAliveTimeout (ms)', snippet: (s) => `server.keepAliveTimeout = ${ms(s)};`, note: NODE_NOTE },
  { id: 'express', name: 'Express', closesAtSeconds: 6, setting: 'keepAliveTimeout of the http.Server returned by app.listen()', snippet: (s) => `const server = app.listen(port); server.keepAliveTimeout = ${ms(s)};`, note: NODE_NOTE },
  { id: 'nextjs', name: 'Next.js (next start / standalone)', closesAtSeconds: 6, setting: 'next start --keepAliveTimeout (ms); standalone: KEEP_ALIVE_TIMEOUT', snippet: (s) => `next start --keepAliveTimeout ${ms(s)}   # standalone: KEEP_ALIVE_TIMEOUT=${ms(s)} node server.js` },
  { id: 'koa', name: 'Koa', closesAtSeconds: 6, setting: 'keepAliveTimeout of the http.Server returned by app.listen()', snippet: (s) => `const server = app.listen(port); server.keepAliveTimeout = ${ms(s)};`, note: NODE_NOTE },
  { id: 'nestjs', name: 'NestJS', closesAtSeconds: 6, setting: 'keepAliveTimeout of app.getHttpServer()', snippet: (s) => `app.getHttpServer().keepAliveTimeout = ${ms(s)};`, note: NODE_NOTE },
  { id: 'hapi', name: 'Hapi', closesAtSeconds: 6, setting: 'server.listener.keepAliveTimeout', snippet: (s) => `server.listener.keepAliveTimeout = ${ms(s)};`, note: NODE_NOTE },
  { id: 'fastify-v3', name: 'Fastify 3.x', closesAtSeconds: 6, setting: 'keepAliveTimeout constructor option (ms)', snippet: (s) => `Fastify({ keepAliveTimeout: ${ms(s)} })` },
  // ≈ 10 s: Bun.serve's idleTimeout (bun.com/docs/runtime/http/server: "closes connections after 10 seconds of
  // inactivity", at most 255), and uWebSockets.js's HTTP idle timeout, the constant HTTP_IDLE_TIMEOUT_S = 10 in
  // uWebSockets src/HttpContext.h (hyper-express and ultimate-express run on it).
  { id: 'bun', name: 'Bun (Bun.serve; Elysia < 1.3.9)', closesAtSeconds: 10, setting: 'Bun.serve({ idleTimeout }) (s)', snippet: (s) => `Bun.serve({ idleTimeout: ${s}, fetch })`, note: 'idleTimeout takes whole seconds up to 255; Elysia passes it as new Elysia({ serve: { idleTimeout } }).' },
  { id: 'uwebsockets-js', name: 'uWebSockets.js (hyper-express, ultimate-express)', closesAtSeconds: 10, setting: 'none at run time (HTTP_IDLE_TIMEOUT_S, fixed when the addon is built)', snippet: (s) => `# no run-time setting: HTTP_IDLE_TIMEOUT_S is a constant (10) in uWebSockets' src/HttpContext.h; set it to ${s} and rebuild the addon, or put a proxy whose keep-alive is ${s} s between the ALB and the app`, note: 'HTTP_IDLE_TIMEOUT_S is a static constexpr in HttpContext.h, not a compiler flag: it takes a patched build.' },
  // ≈ 5 s. Sanic's KEEP_ALIVE_TIMEOUT was 5 until 23.6 (sanic-org/sanic#2670); sanic/config.py now has 120.
  { id: 'sanic-legacy', name: 'Sanic < 23.6', closesAtSeconds: 5, setting: 'KEEP_ALIVE_TIMEOUT (s)', snippet: (s) => `app.config.KEEP_ALIVE_TIMEOUT = ${s}`, note: 'Sanic 23.6 raised the default to 120 s.' },
  { id: 'nodejs-legacy', name: 'Node.js (older lines, no 1 s buffer)', closesAtSeconds: 5, setting: 'server.keepAliveTimeout (ms)', snippet: (s) => `server.keepAliveTimeout = ${ms(s)}; server.headersTimeout = ${ms(s + 1)};`, note: 'On Node 10.15.2–12.18 headersTimeout must exceed keepAliveTimeout (bug #27363).' },
  { id: 'uvicorn', name: 'Uvicorn', closesAtSeconds: 5, setting: '--timeout-keep-alive', snippet: (s) => `uvicorn app:app --timeout-keep-alive ${s}`, note: 'Behind Gunicorn (-k uvicorn.workers.UvicornWorker) Gunicorn\'s --keep-alive applies instead.' },
  { id: 'hypercorn', name: 'Hypercorn', closesAtSeconds: 5, setting: '--keep-alive / keep_alive_timeout', snippet: (s) => `hypercorn --keep-alive ${s} app:app` },
  { id: 'apache', name: 'Apache httpd', closesAtSeconds: 5, setting: 'KeepAliveTimeout', snippet: (s) => `KeepAlive On\nKeepAliveTimeout ${s}`, note: 'MaxKeepAliveRequests (100) closes after N requests too.' },
  { id: 'actix-web', name: 'actix-web', closesAtSeconds: 5, setting: 'HttpServer::keep_alive', snippet: (s) => `HttpServer::new(app).keep_alive(Duration::from_secs(${s}))` },
  { id: 'cowboy', name: 'Cowboy (Erlang/Elixir, Phoenix)', closesAtSeconds: 5, setting: 'request_timeout in protocol_options (not idle_timeout)', snippet: (s) => `http: [protocol_options: [request_timeout: ${ms(s)}, idle_timeout: ${ms(s)}]]`, note: 'Between requests Cowboy waits request_timeout; raise idle_timeout as well.' },
  // ≈ 4 s.
  { id: 'uwsgi-http11-socket', name: 'uWSGI --http11-socket', closesAtSeconds: 4, setting: '--socket-timeout', snippet: (s) => `--http11-socket :8080 --socket-timeout ${s}` },
  // ≈ 2 s.
  { id: 'gunicorn', name: 'Gunicorn', closesAtSeconds: 2, closesLateBySeconds: 1, setting: '--keep-alive / keepalive', snippet: (s) => `gunicorn -k gthread --keep-alive ${s} app:app   # or keepalive = ${s} in gunicorn.conf.py`, note: 'Needs a non-sync worker (gthread, gevent, eventlet, uvicorn): the sync worker closes after every response.' },
  // ≈ 20 s.
  { id: 'puma', name: 'Puma < 7', closesAtSeconds: 20, setting: 'persistent_timeout / PUMA_PERSISTENT_TIMEOUT', snippet: (s) => `persistent_timeout ${s}` },
  { id: 'tomcat-server-xml', name: 'Tomcat (stock server.xml)', closesAtSeconds: 20, setting: '<Connector keepAliveTimeout> (ms)', snippet: (s) => `<Connector port="8080" keepAliveTimeout="${ms(s)}" … />`, note: 'maxKeepAliveRequests (100) closes after N requests too.' },
  // ≈ 30 s.
  { id: 'jetty', name: 'Jetty (and Spring Boot + Jetty)', closesAtSeconds: 30, setting: 'ServerConnector idleTimeout; server.jetty.connection-idle-timeout', snippet: (s) => `connector.setIdleTimeout(${ms(s)});   // Boot: server.jetty.connection-idle-timeout=${s}s` },
  { id: 'elysia', name: 'Elysia ≥ 1.3.9 (on Bun)', closesAtSeconds: 30, setting: 'serve.idleTimeout (s)', snippet: (s) => `new Elysia({ serve: { idleTimeout: ${s} } })`, note: 'Bun caps idleTimeout at 255 s.' },
  { id: 'thin', name: 'Thin', closesAtSeconds: 30, setting: '--timeout', snippet: (s) => `thin start --timeout ${s}` },
  { id: 'hyper', name: 'hyper 1.x with a timer (axum main)', closesAtSeconds: 30, setting: 'http1::Builder::header_read_timeout', snippet: (s) => `http1::Builder::new().timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(${s}))` },
  // ≈ 60 s: equal to the ALB default, still a race.
  { id: 'tomcat', name: 'Tomcat (code default)', closesAtSeconds: 60, setting: '<Connector keepAliveTimeout> (ms)', snippet: (s) => `<Connector port="8080" keepAliveTimeout="${ms(s)}" … />` },
  { id: 'spring-boot', name: 'Spring Boot + Tomcat', closesAtSeconds: 60, setting: 'server.tomcat.keep-alive-timeout', snippet: (s) => `server.tomcat.keep-alive-timeout=${s}s`, note: 'server.tomcat.max-keep-alive-requests (100) closes after N requests too.' },
  { id: 'undertow', name: 'Undertow (Spring Boot ≤ 3)', closesAtSeconds: 60, setting: 'UndertowOptions.NO_REQUEST_TIMEOUT; server.undertow.no-request-timeout', snippet: (s) => `server.undertow.no-request-timeout=${s}s` },
  { id: 'daphne', name: 'Daphne', closesAtSeconds: 60, setting: 'none on the CLI (Twisted HTTPFactory timeout)', snippet: (s) => `# no flag: pass timeout=${s} to Twisted's HTTPFactory in a subclass, or lower the ALB idle timeout below 60 s` },
  { id: 'bandit', name: 'Bandit (Elixir)', closesAtSeconds: 60, setting: 'thousand_island_options read_timeout (ms)', snippet: (s) => `http: [thousand_island_options: [read_timeout: ${ms(s)}]]` },
  { id: 'passenger-standalone', name: 'Passenger Standalone', closesAtSeconds: 60, setting: 'keepalive_timeout in the nginx config template', snippet: (s) => `keepalive_timeout ${s}s;` },
  { id: 'uwsgi-http', name: 'uWSGI --http-keepalive', closesAtSeconds: 60, setting: '--http-keepalive N and --http-timeout', snippet: (s) => `--http-keepalive ${s} --http-timeout ${s}` },
];

/** Servers whose knob is commonly set by hand to any value: advice when no default matches. */
export const GENERIC_SERVER_IDS = ['nginx', 'go-net-http', 'nodejs'] as const;

/**
 * Servers whose default does not race a 60 s ALB (longer, or none), named when the estimate matches a
 * value someone set: nginx 75 s, aiohttp 75 s (keepalive_timeout: float = 75.0 in web.run_app and
 * AppRunner), Go net/http and fasthttp/Fiber (IdleTimeout, which falls back to ReadTimeout: "If
 * IdleTimeout is zero, the value of ReadTimeout is used", net/http server.go and fasthttp server.go; a
 * ReadTimeout of 5 s closes idle connections at 5 s; neither set: no idle limit).
 */

const GENERIC: readonly ServerProfile[] = [
  { id: 'nginx', name: 'nginx', closesAtSeconds: 75, setting: 'keepalive_timeout', snippet: (s) => `keepalive_timeout ${s}s;` },
  { id: 'aiohttp', name: 'aiohttp (web)', closesAtSeconds: 75, setting: 'keepalive_timeout of web.run_app / AppRunner (s)', snippet: (s) => `web.run_app(app, keepalive_timeout=${s})` },
  { id: 'fasthttp', name: 'fasthttp / Fiber (Go)', closesAtSeconds: Infinity, setting: 'Server.IdleTimeout (falls back to ReadTimeout when 0)', snippet: (s) => `fiber.New(fiber.Config{IdleTimeout: ${s} * time.Second})   // fasthttp: &fasthttp.Server{IdleTimeout: ${s} * time.Second}`, note: 'With neither IdleTimeout nor ReadTimeout set, idle connections are kept for ever.' },
  { id: 'go-net-http', name: 'Go net/http', closesAtSeconds: Infinity, setting: 'http.Server IdleTimeout (falls back to ReadTimeout when 0)', snippet: (s) => `&http.Server{IdleTimeout: ${s} * time.Second}`, note: 'A short ReadTimeout with no IdleTimeout silently becomes the keep-alive timeout.' },
];

export function serverById(id: string): ServerProfile | undefined {
  return SERVERS.find((s) => s.id === id) ?? GENERIC.find((s) => s.id === id);
}

/**
 * Servers whose default close matches a keep-alive estimate: the default lies in [low, high] widened by
 * 5 % (the estimate's own tolerance), nearest first, table order among equals.
 */
export function matchServers(estimatedSeconds: number, lowSeconds: number, highSeconds: number): ServerProfile[] {
  const lo = Math.min(lowSeconds, estimatedSeconds) * 0.95;
  const hi = Math.max(highSeconds, estimatedSeconds) * 1.05;
  return SERVERS.filter((s) => s.closesAtSeconds >= lo && s.closesAtSeconds <= hi)
    .map((s, order) => ({ s, order, distance: Math.abs(Math.log(s.closesAtSeconds / estimatedSeconds)) }))
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .map((x) => x.s);
}
