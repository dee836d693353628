import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear (top level or one level down). */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'current_password',
  'new_password',
  'passwordHash',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'ticket',
  'secret',
  'link',
];

const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
].map((path) => (path.includes('-') ? path.replace(/([^.*]*-[^.]*)$/, '["$1"]') : path));

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default. Tests pass a capturing stream. */
  destination?: DestinationStream;
  /** Fields added to every line (the active trace's ids when tracing is on). */
  mixin?: () => Record<string, unknown>;
}

export function createLogger({ level, destination, mixin }: LoggerOptions): Logger {
  return pino(
    {
      level,
      ...(mixin ? { mixin } : {}),
      base: { service: 'task-manager-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

const LEVEL_METHODS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const noop = () => undefined;

/**
 * A child logger made on first use. pino serialises a child's bindings when the child is created
 * (tens of µs with redaction on), which a request that logs nothing at the configured level
 * never needs. Calls at a disabled level never create it.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings));
  return new Proxy(parent, {
    get(_target, property) {
      if (
        typeof property === 'string' &&
        LEVEL_METHODS.has(property) &&
        !(child ?? parent).isLevelEnabled(property)
      ) {
        return noop;
      }
      const target = real();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
    set(_target, property, value) {
      return Reflect.set(real(), property, value);
    },
  });
}
