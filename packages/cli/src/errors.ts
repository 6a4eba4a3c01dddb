/**
 * A problem with how `safecall` was invoked or configured: an unknown option, a bad value, a path
 * that does not exist, a missing or broken tsconfig. The CLI prints the message and exits with 2.
 */
export class UsageError extends Error {
  readonly code = 'SAFECALL_USAGE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}
