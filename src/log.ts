/**
 * @module log
 * Structured JSON logs through pino (one object per line on stderr). The {@link Logger} interface is the only thing
 * the rest of the code sees, so call sites stay `log.info(msg, fields)`. It never receives header values or
 * credentials: callers log header NAMES only, and {@link redactUrl} strips userinfo and query strings.
 */
import { pino, stdTimeFunctions, type Logger as PinoLogger } from 'pino'

/** Log levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

/** A logger. `child` is optional so small hand-made loggers (tests, tools) still fit. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** A logger that adds `bindings` to every line (e.g. `{ server }`). */
  child?(bindings: Record<string, unknown>): Logger
}

/** Where log lines go (tests capture them). Receives one JSON object per call, without the newline. */
export type LogSink = (line: string) => void

function wrap(p: PinoLogger): Logger {
  return {
    debug: (m, f) => (f ? p.debug(f, m) : p.debug(m)),
    info: (m, f) => (f ? p.info(f, m) : p.info(m)),
    warn: (m, f) => (f ? p.warn(f, m) : p.warn(m)),
    error: (m, f) => (f ? p.error(f, m) : p.error(m)),
    child: (bindings) => wrap(p.child(bindings)),
  }
}

/**
 * Creates a logger writing JSON lines at or above `level`.
 * @param sink where lines go; default stderr (synchronous, so nothing is lost on `process.exit`)
 */
export function createLogger(level: LogLevel, sink?: LogSink): Logger {
  const destination = sink ? { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) } : pino.destination({ dest: 2, sync: true })
  return wrap(
    pino(
      {
        level,
        // Level names and ISO times read better in `kubectl logs` than pino's numbers; pid/hostname say nothing in a container.
        base: undefined,
        formatters: { level: (label) => ({ level: label }) },
        timestamp: stdTimeFunctions.isoTime,
      },
      destination,
    ),
  )
}

/** A child logger with `bindings` on every line; falls back to adding them by hand for loggers without `child`. */
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  if (log.child) return log.child(bindings)
  const add = (f?: Record<string, unknown>) => ({ ...bindings, ...f })
  return {
    debug: (m, f) => log.debug(m, add(f)),
    info: (m, f) => log.info(m, add(f)),
    warn: (m, f) => log.warn(m, add(f)),
    error: (m, f) => log.error(m, add(f)),
    child: (more) => childLogger(log, { ...bindings, ...more }),
  }
}

/** Removes credentials and query strings from a URL before it is logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    u.search = ''
    return u.toString()
  } catch {
    return '(invalid url)'
  }
}
