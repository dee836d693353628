import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * package-lock.json is complete: npm install on a fresh clone must leave it unchanged (.ci/run
 * fails when it does not). What npm could not resolve when the lock was written is missing from
 * it and gets added by the next install that can, so the lock must hold every optional platform
 * package its dependencies declare, except those the registry this project installs from does
 * not serve (deploy/README.md, "Lock file").
 */

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/**
 * @node-rs/bcrypt 2.0.0 is served here only for linux-x64-gnu: its other platform packages are
 * published for 1.x only, so the lock cannot list them. Installs on those platforms resolve them
 * at install time (npm install, not npm ci). When they become available, this list must shrink.
 */
const NOT_SERVED = [
  'android-arm-eabi',
  'android-arm64',
  'darwin-arm64',
  'darwin-x64',
  'freebsd-x64',
  'linux-arm-gnueabihf',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'linux-x64-musl',
  'win32-arm64-msvc',
  'win32-ia32-msvc',
  'win32-x64-msvc',
].map((platform) => `@node-rs/bcrypt-${platform}@2.0.0`);

const readJson = async <T>(file: string) =>
  JSON.parse(await readFile(new URL(`../../${file}`, import.meta.url), 'utf8')) as T;

/** Node's resolution: the nearest node_modules/<name> from `from` up to the root. */
function resolve(lock: Lock, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent >= 0 ? dir.slice(0, parent) : '';
  }
}

describe('package-lock.json', () => {
  it('records exactly the dependencies package.json pins', async () => {
    const [pkg, lock] = await Promise.all([
      readJson<LockEntry>('package.json'),
      readJson<Lock>('package-lock.json'),
    ]);
    const root = lock.packages[''];
    expect(root?.dependencies).toEqual(pkg.dependencies);
    expect(root?.devDependencies).toEqual(pkg.devDependencies);
    expect(lock.lockfileVersion).toBe(3);
  });

  it('pins every package with an integrity hash', async () => {
    const lock = await readJson<Lock>('package-lock.json');
    const unpinned = Object.entries(lock.packages)
      .filter(([key, entry]) => key !== '' && !entry.link && !entry.integrity)
      .map(([key]) => key);
    expect(unpinned).toEqual([]);
  });

  it('lists every optional platform package the registry serves', async () => {
    const lock = await readJson<Lock>('package-lock.json');
    const missing = new Set<string>();
    for (const [key, entry] of Object.entries(lock.packages)) {
      for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
        if (!resolve(lock, key, name)) missing.add(`${name}@${range}`);
      }
    }
    expect([...missing].sort()).toEqual([...NOT_SERVED].sort());
  });
});
