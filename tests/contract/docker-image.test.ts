import * as dclint from 'dclint';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

/**
 * No container engine runs where the tests do, so the image is checked statically: the Dockerfile
 * with dockerfile-utils (the linter behind the Docker language server), docker-compose.yml with
 * dclint (the compose JSON schema plus its rules), and the image's build steps against what CI
 * runs (.ci/run, .nvmrc, package.json).
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFile(path.join(root, file), 'utf8');

/** Every configurable check of dockerfile-utils as an error, not only its defaults. */
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const lintDockerfile = (content: string) =>
  validate(content, STRICT).map(
    (d) =>
      `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
  );

/** dclint's bundled declarations use extensionless relative imports, which NodeNext cannot follow. */
interface ComposeLinter {
  lintFiles(
    paths: string[],
    recursive: boolean,
  ): { messages: { type: string; rule: string; message: string }[] }[];
}
const {
  DCLinter,
}: {
  DCLinter: new (config: {
    rules: Record<string, 0 | 1 | 2>;
    quiet: boolean;
    debug: boolean;
    exclude: string[];
  }) => ComposeLinter;
} = dclint;

/**
 * dclint with its default rules, less two about key order: the compose file orders services by
 * data flow (stores, then api, then worker) and keys by what a reader looks for first.
 */
const composeLinter = new DCLinter({
  rules: { 'service-keys-order': 0, 'services-alphabetical-order': 0 },
  quiet: false,
  debug: false,
  exclude: [],
});

const lintCompose = (file: string) =>
  composeLinter
    .lintFiles([file], false)
    .flatMap((result) => result.messages.map((m) => `${m.type} ${m.rule}: ${m.message}`));

const instructions = async (): Promise<Instruction[]> =>
  DockerfileParser.parse(await read('Dockerfile')).getInstructions();

/** Flags of the `npm install` a shell line runs (not one it mentions), or undefined. */
function npmInstallFlags(line: string): string[] | undefined {
  const match = /(?:^|&&|;)\s*npm (install|ci)\b([^&|;#\n]*)/.exec(line);
  if (!match) return undefined;
  if (match[1] === 'ci') throw new Error(`npm ci in "${line.trim()}": use npm install`);
  return match[2]!.trim().split(/\s+/).filter(Boolean).sort();
}

describe('the Docker image', () => {
  it('has a Dockerfile without lint findings', async () => {
    expect(lintDockerfile(await read('Dockerfile'))).toEqual([]);
  });

  it('finds the mistakes of a deliberately broken Dockerfile', () => {
    const broken = [
      'FROM node:24-bookworm-slim',
      'WORKDIR app',
      'EXPOSE http',
      'COPYY . .',
      'HEALTHCHECK CMD true',
      'HEALTHCHECK CMD false',
      "CMD ['node', 'src/main.ts']",
    ].join('\n');
    expect(lintDockerfile(broken)).toEqual(
      expect.arrayContaining([
        'line 2: WORKDIR paths should be absolute',
        'line 3: Invalid containerPort: http',
        'line 4: Unknown instruction: COPYY',
        expect.stringMatching(/^line [56]: .*HEALTHCHECK/),
        expect.stringMatching(/^line 7: .*double quotes/),
      ]),
    );
  });

  it('has a compose file that matches the compose schema and passes dclint', () => {
    expect(lintCompose(path.join(root, 'docker-compose.yml'))).toEqual([]);
  });

  it('finds the mistakes of a deliberately broken compose file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compose-'));
    try {
      const file = path.join(dir, 'docker-compose.yml');
      await writeFile(
        file,
        'name: broken\nservices:\n  api:\n    image: x:1\n    restrat: always\n',
      );
      expect(lintCompose(file)).toEqual([
        expect.stringMatching(/^error invalid-schema: .*\/services\/api.*additional properties/i),
      ]);
      await writeFile(
        file,
        "name: broken\nservices:\n  api:\n    image: x:1\n    ports: ['3000:3000']\n",
      );
      expect(lintCompose(file)).toEqual([
        expect.stringMatching(/^error no-unbound-port-interfaces: /),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the Node version CI runs (.nvmrc and the pinned node package)', async () => {
    const nvmrc = (await read('.nvmrc')).trim();
    const pkg = JSON.parse(await read('package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.node).toBe(nvmrc);
    const bases = (await instructions())
      .filter((i) => i.getKeyword() === 'FROM')
      .map((i) => i.getArguments()[0]?.getValue());
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe(`node:${nvmrc}-bookworm-slim`);
  });

  it('installs with the flags CI uses, plus only --omit=dev and --ignore-scripts', async () => {
    const ci = (await read('.ci/run')).split('\n').flatMap((line) => npmInstallFlags(line) ?? []);
    const image = (await instructions())
      .filter((i) => i.getKeyword() === 'RUN')
      .flatMap((i) => npmInstallFlags(i.getArgumentsContent() ?? '') ?? []);
    expect(ci.length).toBeGreaterThan(0);
    expect(image).toEqual([...ci, '--omit=dev', '--ignore-scripts'].sort());
  });

  it('loses no needed install script to --ignore-scripts: every allowed one is a dev dependency', async () => {
    const pkg = JSON.parse(await read('package.json')) as {
      allowScripts: Record<string, boolean>;
      devDependencies: Record<string, string>;
    };
    const allowed = Object.entries(pkg.allowScripts)
      .filter(([, allow]) => allow)
      .map(([name]) => name);
    expect(allowed.length).toBeGreaterThan(0);
    for (const name of allowed) expect(Object.keys(pkg.devDependencies)).toContain(name);
  });

  it('runs as the unprivileged node user, with a HEALTHCHECK on a served route, like npm start', async () => {
    const all = await instructions();
    const cmdIndex = all.findIndex((i) => i.getKeyword() === 'CMD');
    const users = all.slice(0, cmdIndex).filter((i) => i.getKeyword() === 'USER');
    expect(users.at(-1)?.getArgumentsContent()).toBe('node');

    const healthcheck = all.find((i) => i.getKeyword() === 'HEALTHCHECK');
    expect(healthcheck?.getArgumentsContent()).toMatch(/'\/health'/);
    const doc = JSON.parse(await read('openapi/openapi.json')) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/health');

    const cmd = JSON.parse(all[cmdIndex]!.getArgumentsContent()!) as string[];
    const pkg = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };
    expect(cmd.join(' ')).toBe(pkg.scripts.start);

    const exposed = all.find((i) => i.getKeyword() === 'EXPOSE')?.getArgumentsContent();
    expect(Number(exposed)).toBe(loadConfig({}).http.port);
  });
});
