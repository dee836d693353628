import { ConfigError } from '../config.ts';

/** Runs a command-line entry: one clear line on failure, exit code 1, no stack trace for known errors. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      const message =
        err instanceof ConfigError || err instanceof CliError ? err.message : String(err);
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}

export class CliError extends Error {}
