import { writeFile } from 'node:fs/promises';
import { renderOpenApiDocument } from '../openapi-document.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const target = new URL('../../openapi/openapi.json', import.meta.url);
  await writeFile(target, await renderOpenApiDocument());
  process.stdout.write('wrote openapi/openapi.json\n');
});
