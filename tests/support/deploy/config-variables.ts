import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../../src/config.ts';

const CONFIG_SOURCE = new URL('../../../src/config.ts', import.meta.url);

/**
 * The environment variables src/config.ts reads, derived from the code rather than listed by
 * hand: the names `loadConfig` looks up (recorded through a proxy environment), together with
 * every UPPER_CASE key of its schema and every `env.NAME` it mentions, so that a variable read
 * only under some condition is found too.
 */
export async function configVariables(): Promise<string[]> {
  const read = new Set<string>();
  const env: NodeJS.ProcessEnv = new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
      has(_target, key) {
        if (typeof key === 'string') read.add(key);
        return false;
      },
    },
  );
  loadConfig(env);

  const source = await readFile(CONFIG_SOURCE, 'utf8');
  for (const match of source.matchAll(/^\s+([A-Z][A-Z0-9_]+)\??:/gm)) read.add(match[1]!);
  for (const match of source.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) read.add(match[1]!);
  return [...read].filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name)).sort();
}

const MAIN_SOURCE = new URL('../../../src/main.ts', import.meta.url);

/** The margin main.ts adds to SHUTDOWN_TIMEOUT_MS before it exits regardless (its hard deadline). */
export async function shutdownDeadlineMarginMs(): Promise<number> {
  const source = await readFile(MAIN_SOURCE, 'utf8');
  const match = /shutdownTimeoutMs \+ ([\d_]+)/.exec(source);
  if (!match)
    throw new Error('src/main.ts: the shutdown hard deadline (shutdownTimeoutMs + N) moved');
  return Number(match[1]!.replaceAll('_', ''));
}
