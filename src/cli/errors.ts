/** CLI errors with the contract's exit codes: 2 for bad usage or bad input, 1 for runtime failures. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, 2);
export const runtimeError = (message: string): CliError => new CliError(message, 1);
