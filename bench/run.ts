import { identityBench } from './identity.bench.ts';
import { notificationsBench } from './notifications.bench.ts';
import { taskListBench } from './task-list.bench.ts';

/** `npm run bench`: each benchmark reports against a baseline measured in the same process. */
const benches: Array<[string, () => Promise<string[]>]> = [
  ['identity', identityBench],
  ['task list', taskListBench],
  ['notifications', notificationsBench],
];

for (const [name, bench] of benches) {
  process.stdout.write(`\n# ${name}\n`);
  for (const line of await bench()) process.stdout.write(`${line}\n`);
}
process.exit(0);
