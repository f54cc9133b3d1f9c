/**
 * Structured logs: one JSON object per line with level, message, the invocation's request id and fields,
 * which CloudWatch Logs Insights queries by field. EMF lines (metrics.ts) share the stream.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** The same logger with these fields on every line. */
  with(fields: Record<string, unknown>): Logger;
}

export function createLogger(base: Record<string, unknown> = {}, write: (line: string) => void = (line) => void process.stdout.write(line)): Logger {
  const line = (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void =>
    write(JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'alb-doctor', ...base, ...fields }, errorsAsJson) + '\n');
  return {
    info: (message, fields) => line('info', message, fields),
    warn: (message, fields) => line('warn', message, fields),
    error: (message, fields) => line('error', message, fields),
    with: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

/** Errors have no enumerable fields: keep their name, message, code and stack. */
function errorsAsJson(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
}
