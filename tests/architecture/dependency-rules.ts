import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The dependency rules of docs/architecture.md for a tree shaped like `src/`, rooted at `root`
 * (relative to the project root). The same rules run over `src/` and over the broken fixture.
 */
export function architectureRules(root: string): IForbiddenRuleType[] {
  const r = `^${escape(root.replace(/\/?$/, '/'))}`;
  const neverthrow = '^node_modules/neverthrow/';
  const sharedDomain = `${r}shared/domain/`;
  const moduleIndex = `${r}modules/[^/]+/index\\.ts$`;
  return [
    {
      name: 'domain-imports-only-its-domain-shared-domain-and-neverthrow',
      severity: 'error',
      from: { path: `${r}modules/([^/]+)/domain/` },
      to: { pathNot: [`${r}modules/$1/domain/`, sharedDomain, neverthrow] },
    },
    {
      name: 'shared-domain-imports-only-shared-domain-and-neverthrow',
      severity: 'error',
      from: { path: sharedDomain },
      to: { pathNot: [sharedDomain, neverthrow] },
    },
    {
      name: 'application-imports-only-domain-application-module-indexes-and-neverthrow',
      severity: 'error',
      from: { path: `${r}modules/([^/]+)/application/` },
      to: {
        pathNot: [`${r}modules/$1/(domain|application)/`, sharedDomain, moduleIndex, neverthrow],
      },
    },
    {
      name: 'other-modules-only-through-their-index',
      severity: 'error',
      from: { path: `${r}modules/([^/]+)/` },
      to: { path: `${r}modules/[^/]+/`, pathNot: [`${r}modules/$1/`, moduleIndex] },
    },
    {
      name: 'shared-does-not-import-modules',
      severity: 'error',
      from: { path: `${r}shared/` },
      to: { path: `${r}modules/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: r },
      to: { circular: true },
    },
    {
      name: 'source-does-not-import-tests',
      severity: 'error',
      from: { path: r },
      to: { path: '^tests/', pathNot: r },
    },
    {
      // An import that does not resolve would slip past the path rules above.
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: { path: r },
      to: { couldNotResolve: true },
    },
  ];
}

export async function cruiseArchitecture(root: string): Promise<ICruiseResult> {
  const tsConfigFile = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const { output } = await cruise(
    [root],
    {
      baseDir: projectRoot,
      validate: true,
      ruleSet: { forbidden: architectureRules(root) },
      doNotFollow: { path: '(^|/)node_modules/' },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: tsConfigFile },
      // Resolve packages the way Node does (their `exports`), or subpaths like `hono/cors` fail.
      enhancedResolveOptions: {
        exportsFields: ['exports'],
        conditionNames: ['import', 'types', 'node', 'default'],
      },
    },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  if (typeof output === 'string')
    throw new Error('dependency-cruiser returned a report, not a result');
  return output;
}
