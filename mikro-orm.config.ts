import { loadConfig } from './src/config.ts';
import { entities } from './src/container.ts';
import { ormOptions } from './src/shared/infra/orm.ts';

/** The ORM configuration used by `npm run db:migrate` and the MikroORM tooling. */
export default ormOptions({ databaseUrl: loadConfig().databaseUrl, entities });
