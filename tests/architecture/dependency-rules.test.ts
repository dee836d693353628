import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ICruiseResult, IViolation } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';
import { architectureRules, cruiseArchitecture, projectRoot } from './dependency-rules.ts';

const fixture = 'tests/architecture/fixtures/bad-src';

// Packages read as their name, whichever of their files the resolver picked.
const packageName = (module: string): string =>
  module.replace(/^node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1');

const describeViolation = (v: IViolation): string =>
  v.cycle
    ? `${v.rule.name}: ${[v.from, ...v.cycle.map((step) => step.name)].join(' → ')}`
    : `${v.rule.name}: ${v.from} → ${packageName(v.to)} (${(v.dependencyTypes ?? []).join(', ')})`;

const tsFilesUnder = (dir: string): string[] =>
  readdirSync(path.join(projectRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.posix.join(dir, file.split(path.sep).join('/')));

describe('dependency rules on src/', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseArchitecture('src');
  });

  it('scans every TypeScript file under src/ and resolves its imports', () => {
    const files = tsFilesUnder('src');
    const scanned = result.modules.map((module) => module.source);
    expect(files.length).toBeGreaterThan(10);
    expect(scanned.length).toBeGreaterThanOrEqual(files.length);
    expect(scanned).toEqual(expect.arrayContaining(files));

    const dependencies = result.modules.flatMap((module) => module.dependencies);
    const types = new Set(dependencies.flatMap((dependency) => dependency.dependencyTypes));
    expect([...types]).toEqual(expect.arrayContaining(['local', 'npm', 'core', 'type-only']));
  });

  it('finds no violations', () => {
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  });
});

describe('dependency rules on a fixture that breaks each of them', () => {
  it('reports exactly the broken imports, every rule at least once', async () => {
    const result = await cruiseArchitecture(fixture);
    const at = (file: string) => `${fixture}/${file}`;

    // The fixture's allowed imports (neverthrow, shared/domain, another module's index) stay quiet.
    expect(result.summary.violations.map(describeViolation).sort()).toEqual(
      [
        `domain-imports-only-its-domain-shared-domain-and-neverthrow: ${at('modules/tasks/domain/task.ts')} → hono (npm, type-only, import)`,
        `domain-imports-only-its-domain-shared-domain-and-neverthrow: ${at('modules/tasks/domain/task.ts')} → ${at('modules/tasks/adapters/storage.ts')} (local, import)`,
        `shared-domain-imports-only-shared-domain-and-neverthrow: ${at('shared/domain/id.ts')} → crypto (core, import)`,
        `application-imports-only-domain-application-module-indexes-and-neverthrow: ${at('modules/tasks/application/use-case.ts')} → @mikro-orm/core (npm, type-only, import)`,
        `other-modules-only-through-their-index: ${at('modules/notifications/adapters/inbox.ts')} → ${at('modules/tasks/domain/task.ts')} (local, type-only, import)`,
        `shared-does-not-import-modules: ${at('shared/http/task-link.ts')} → ${at('modules/tasks/index.ts')} (local, type-only, import)`,
        `no-circular: ${at('cycle-a.ts')} → ${at('cycle-b.ts')} → ${at('cycle-a.ts')}`,
        `source-does-not-import-tests: ${at('main.ts')} → tests/architecture/fixtures/test-helper.ts (local, import)`,
        `no-unresolvable-imports: ${at('main.ts')} → ./missing.ts (unknown)`,
      ].sort(),
    );

    const brokenRules = new Set(result.summary.violations.map((v) => v.rule.name));
    expect([...brokenRules].sort()).toEqual(
      architectureRules(fixture)
        .map((rule) => rule.name)
        .sort(),
    );
  });
});
