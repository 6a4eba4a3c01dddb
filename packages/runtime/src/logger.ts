export type LogFields = Readonly<Record<string, unknown>>;

/** The runtime's only way to say something; pass your own (pino, winston) to route it. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = (): void => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The default: warnings and errors to stderr, nothing else. */
export const consoleLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: (message, fields) => console.warn(`[safecall] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[safecall] ${message}`, fields ?? ''),
};
