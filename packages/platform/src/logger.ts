import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Request bodies are never logged, and the usual places personal data
 * hides are redacted, because clinic tickets can carry patient details.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.accessToken',
        '*.description',
        '*.email',
        '*.phone',
      ],
      censor: '[redacted]',
    },
  });
}
