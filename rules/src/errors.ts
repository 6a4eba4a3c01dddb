export type ArchitectureErrorCode = 'CONFIG_NOT_FOUND' | 'TSCONFIG_NOT_FOUND' | 'PATH_NOT_FOUND' | 'INVALID_CONFIG';

/** A check could not run because of its input (a missing file, a broken config): a usage error, not a finding. */
export class ArchitectureCheckError extends Error {
  override readonly name = 'ArchitectureCheckError';

  constructor(
    readonly code: ArchitectureErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
