import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * `parseArgs` for the operator commands: an unknown or malformed option prints what is wrong and
 * the usage (the caller exits 2) instead of a stack trace.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
  error: (line: string) => void,
): ReturnType<typeof parseArgs<T>> | undefined {
  try {
    return parseArgs(config);
  } catch (cause) {
    error(`${(cause as Error).message}\n\n${usage}`);
    return undefined;
  }
}
