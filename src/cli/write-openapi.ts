import { writeFile } from 'node:fs/promises';
import { renderAsyncApiDocument } from '../asyncapi-document.ts';
import { renderOpenApiDocument } from '../openapi-document.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const target = new URL('../../openapi/openapi.json', import.meta.url);
  await writeFile(target, await renderOpenApiDocument());
  process.stdout.write('wrote openapi/openapi.json\n');
  await writeFile(
    new URL('../../openapi/asyncapi.yaml', import.meta.url),
    renderAsyncApiDocument(),
  );
  process.stdout.write('wrote openapi/asyncapi.yaml\n');
});
