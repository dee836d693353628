import { cacheBench } from './cache.bench.ts';
import { hardeningBench } from './hardening.bench.ts';
import { identityBench } from './identity.bench.ts';
import { authBench, healthBench, listBench, mixBench, stormBench } from './load.bench.ts';
import { notificationsBench } from './notifications.bench.ts';
import { persistenceCoreBench } from './persistence-core.bench.ts';
import { persistenceBench } from './persistence.bench.ts';
import { projectsListBench } from './projects-list.bench.ts';
import { taskListBench } from './task-list.bench.ts';
import { tracingBench } from './tracing.bench.ts';
import { webhooksBench } from './webhooks.bench.ts';

/**
 * `npm run bench`: each benchmark reports against a baseline measured in the same process.
 * `npm run bench -- <name> [<name>...]` runs only the sections whose names contain a given word;
 * a word that is a whole name, or the part after `load: `, selects that section alone (`list` is
 * the load bench's list, not every list section).
 */
const benches: Array<[string, () => Promise<string[]>]> = [
  ['identity', identityBench],
  ['task list', taskListBench],
  ['persistence', persistenceBench],
  ['notifications', notificationsBench],
  ['webhooks', webhooksBench],
  ['persistence-core', persistenceCoreBench],
  ['projects list', projectsListBench],
  ['tracing', tracingBench],
  ['hardening', hardeningBench],
  ['load: login storm', stormBench],
  ['load: health', healthBench],
  ['load: auth', authBench],
  ['load: list', listBench],
  ['load: mix', mixBench],
  ['load: cache', cacheBench],
];

const wanted = process.argv.slice(2).map((word) => word.toLowerCase());
const exactly = (word: string) =>
  benches.filter(([name]) => name === word || name === `load: ${word}`);
const matches = (word: string) => {
  const exact = exactly(word);
  return exact.length > 0 ? exact : benches.filter(([name]) => name.includes(word));
};
const chosen = new Set(wanted.flatMap((word) => matches(word).map(([name]) => name)));
const selected = benches.filter(([name]) => wanted.length === 0 || chosen.has(name));
if (selected.length === 0) {
  process.stderr.write(
    `no benchmark matches ${wanted.join(', ')}; sections: ${benches.map(([n]) => n).join(', ')}\n`,
  );
  process.exit(2);
}

for (const [name, bench] of selected) {
  process.stdout.write(`\n# ${name}\n`);
  for (const line of await bench()) process.stdout.write(`${line}\n`);
}
process.exit(0);
