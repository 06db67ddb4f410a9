// One structured JSON logger per service (Powertools Logger), with secrets redacted before any line is written, and
// an optional process-wide sink that also receives each line (the local runtime ships them to OpenSearch with it).
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type {
  ConstructorOptions,
  LogAttributes,
  UnformattedAttributes,
} from '@aws-lambda-powertools/logger/types';

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|signature/i;
const REDACTED = '[redacted]';

/** Replaces the values of secret-looking keys, at any depth, so a log line can never carry a password or token. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

/** Powertools' standard keys, with every additional attribute passed through `redact`. */
class RedactingFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(redact(additional) as LogAttributes);
  }
}

/** Receives every log line exactly as it is written to stdout. Must return at once and never throw. */
export type LogSink = (line: string) => void;
let sink: LogSink | undefined;

/**
 * Installs (or, with undefined, removes) the sink of every logger in this process. Lambda has none: CloudWatch Logs
 * collects stdout and a subscription filter ships it. The local runtime sets one to ship the same lines itself.
 */
export function setLogSink(next: LogSink | undefined): void {
  sink = next;
}

/** Powertools' Logger, handing each printed line to the sink as well; child loggers are of the same kind. */
class PlatformLogger extends Logger {
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new PlatformLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    super.printLog(logLevel, log);
    if (!sink) return;
    try {
      // The same serialisation Powertools just printed (printLog has prepared the item), without indentation.
      sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    } catch {
      // Shipping logs must never break the code that logs.
    }
  }
}

const loggers = new Map<string, Logger>();

/** The logger of a service, created once per container. */
export function getLogger(service: string): Logger {
  let logger = loggers.get(service);
  if (!logger) {
    logger = new PlatformLogger({ serviceName: service, logFormatter: new RedactingFormatter() });
    loggers.set(service, logger);
  }
  return logger;
}

export type { Logger };
