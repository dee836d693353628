import { loadConfig } from '../config.ts';
import { entities } from '../container.ts';
import { initOrm, migrate } from '../shared/infra/orm.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const config = loadConfig();
  const orm = await initOrm({ databaseUrl: config.databaseUrl, entities });
  try {
    const applied = await migrate(orm);
    process.stdout.write(
      applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  } finally {
    await orm.close();
  }
});
