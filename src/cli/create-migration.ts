import { writeFile } from 'node:fs/promises';
import { CliError, runCli } from './run-cli.ts';

/**
 * `npm run db:migration:create -- <name>`: a new, empty migration. Migrations here are written by
 * hand in SQL (indexes, constraints and extensions the entity metadata cannot express).
 */
runCli(async () => {
  const name = process.argv[2];
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new CliError('usage: npm run db:migration:create -- <snake_case_name>');
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const className = `Migration${stamp}_${name}`;
  const target = new URL(`../../migrations/${className}.ts`, import.meta.url);
  const source = `import { Migration } from '@mikro-orm/migrations';

export class ${className} extends Migration {
  override up(): void {
    this.addSql('');
  }

  override down(): void {
    this.addSql('');
  }
}
`;
  await writeFile(target, source, { flag: 'wx' });
  process.stdout.write(`created migrations/${className}.ts\n`);
});
