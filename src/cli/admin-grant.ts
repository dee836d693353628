import { RequestContext } from '@mikro-orm/core';
import { loadConfig } from '../config.ts';
import { buildContainer, entities } from '../container.ts';
import { createLogger } from '../shared/infra/logger.ts';
import { initOrm } from '../shared/infra/orm.ts';
import { CliError, runCli } from './run-cli.ts';

/** `npm run admin:grant -- <email>`: makes an existing user an admin. */
runCli(async () => {
  const email = process.argv[2];
  if (!email || process.argv.length > 3)
    throw new CliError('usage: npm run admin:grant -- <email>');
  const config = loadConfig();
  const logger = createLogger({ level: 'warn' });
  const orm = await initOrm({ databaseUrl: config.databaseUrl, entities, logger });
  const container = buildContainer(config, { orm, logger });
  try {
    const result = await RequestContext.create(orm.em, () =>
      container.identity.useCases.grantAdmin.execute({ email }),
    );
    if (result.isErr()) throw new CliError(`no user with email ${email}`);
    process.stdout.write(`${result.value.email} is now an admin\n`);
  } finally {
    await container.close();
  }
});
