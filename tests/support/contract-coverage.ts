import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { loadDocument, operationIds } from './contract.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The groups whose every response is held to the document; together they must cover it all. */
const CHECKED_GROUPS = ['component', 'e2e'];

/**
 * One directory per run (global setups run in the one main process), where the workers note the
 * operations they checked. After the run, the teardown counts them and, when every component and
 * e2e test ran, fails the run if an operation of the document was never checked.
 */
export async function contractCoverage(project: TestProject) {
  const dir = join(tmpdir(), `task-manager-contract-${process.pid}`);
  await mkdir(dir, { recursive: true });
  project.provide('contractCoverageDir', dir);
  return {
    async check(): Promise<void> {
      const checked = await checkedOperations(dir);
      if (checked === undefined) return;
      await rm(dir, { recursive: true, force: true });
      const all = operationIds(loadDocument());
      const missing = all.filter((id) => !checked.has(id));
      console.info(
        `contract: the tests held the responses of ${all.length - missing.length} of the ${all.length} operations of openapi/openapi.json to the document`,
      );
      if (missing.length > 0 && (await ranEveryCheckedTest(project))) {
        throw new Error(`No test checked a response of: ${missing.join(', ')}`);
      }
    },
  };
}

/** The operations noted in `dir`; undefined when another teardown has already counted them. */
async function checkedOperations(dir: string): Promise<Set<string> | undefined> {
  const checked = new Set<string>();
  const files = await readdir(dir).catch(() => undefined);
  if (files === undefined) return undefined;
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const id of text.split('\n')) if (id !== '') checked.add(id);
  }
  return checked;
}

/** Whether this run included every test of the checked groups, unfiltered. */
async function ranEveryCheckedTest(project: TestProject): Promise<boolean> {
  const { vitest } = project;
  if (vitest.config.testNamePattern !== undefined) return false;
  const ran = new Set(vitest.state.getFiles().map((file) => relative(root, file.filepath)));
  for (const group of CHECKED_GROUPS) {
    const files = await readdir(join(root, 'tests', group), { recursive: true });
    for (const file of files) {
      if (file.endsWith('.test.ts') && !ran.has(join('tests', group, file))) return false;
    }
  }
  return true;
}
