import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configVariables, shutdownDeadlineMarginMs } from '../support/deploy/config-variables.ts';
import { renderKustomization, type Manifest } from '../support/deploy/kustomize.ts';
import {
  envWiringProblems,
  inlineSecretProblems,
  pathProblems,
  podHardeningProblems,
  referenceProblems,
  schemaProblems,
  shutdownProblems,
  workloads,
} from '../support/deploy/manifest-checks.ts';
import { typeProblems } from '../support/deploy/strict-types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const kubernetesDir = path.join(root, 'deploy/kubernetes');
const baseDir = path.join(kubernetesDir, 'base');
const productionDir = path.join(kubernetesDir, 'overlays/production');
const brokenDir = path.join(root, 'tests/fixtures/kubernetes/broken');

/** Created outside the manifests (deploy/README.md): secrets are never committed. */
const EXTERNAL_SECRETS = ['task-manager-secrets'];

/** Every route the service serves: the OpenAPI document plus the literal paths of the operations routes. */
async function servedRoutes(): Promise<Set<string>> {
  const doc = JSON.parse(await readFile(path.join(root, 'openapi/openapi.json'), 'utf8')) as {
    paths: Record<string, unknown>;
  };
  const operations = await readFile(
    path.join(root, 'src/shared/http/operations.routes.ts'),
    'utf8',
  );
  const literals = [...operations.matchAll(/['"`](\/[A-Za-z0-9/_.-]*)['"`]/g)].map((m) => m[1]!);
  return new Set([...Object.keys(doc.paths), ...literals]);
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const find = (objects: Manifest[], kind: string, name: string) => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`${kind}/${name} is not rendered`);
  return object;
};

const envOf = (objects: Manifest[], name: string) =>
  workloads(objects).find((w) => w.object.metadata.name === name)?.pod.containers[0]?.env ?? [];

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  let base: Manifest[];
  let production: Manifest[];
  let variables: string[];
  let routes: Set<string>;
  const read = new Set<string>();

  beforeAll(async () => {
    base = await renderKustomization(baseDir, read);
    production = await renderKustomization(productionDir, read);
    variables = await configVariables();
    routes = await servedRoutes();
  });

  it('renders every YAML file under deploy/kubernetes through a kustomization', async () => {
    expect(await yamlFilesUnder(kubernetesDir)).toEqual([...read].sort());
  });

  it('derives the configuration variables from src/config.ts', () => {
    expect(variables).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'JWT_SECRET',
        'SHUTDOWN_TIMEOUT_MS',
        'MIGRATE_ON_START',
      ]),
    );
  });

  it.each([
    ['base', () => base],
    ['production overlay', () => production],
  ])('validates every object of the %s against its Kubernetes schema', (_, objects) => {
    expect(objects().length).toBeGreaterThan(10);
    expect(schemaProblems(objects())).toEqual([]);
  });

  it(
    'has no unknown field and no mistyped value in any object (TypeScript against kubernetes-models)',
    { timeout: 60_000 },
    () => {
      expect(typeProblems([...base, ...production], root)).toEqual([]);
    },
  );

  it('wires every variable the configuration reads into every container', () => {
    expect(envWiringProblems(production, variables)).toEqual([]);
  });

  it('keeps secrets out of the manifests', () => {
    expect(inlineSecretProblems(production)).toEqual([]);
    expect(production.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('probes and scrapes only routes the service serves', () => {
    expect(pathProblems(production, routes)).toEqual([]);
  });

  it('runs hardened pods with probes, resources and a writable /tmp only', () => {
    expect(podHardeningProblems(production)).toEqual([]);
  });

  it('gives the graceful shutdown time to finish before SIGKILL', async () => {
    expect(shutdownProblems(production, await shutdownDeadlineMarginMs())).toEqual([]);
  });

  it('resolves every reference between objects', () => {
    expect(referenceProblems(production, EXTERNAL_SECRETS)).toEqual([]);
  });

  it('sets values the service accepts (loadConfig parses the production ConfigMap)', () => {
    const data = find(production, 'ConfigMap', 'task-manager-config').data as Record<
      string,
      string
    >;
    const secrets = {
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/task_manager',
      REDIS_URL: 'rediss://:token@cache.internal:6379',
      JWT_SECRET: 'x'.repeat(48),
    };
    for (const role of ['api', 'worker'] as const) {
      const env = Object.fromEntries(
        envOf(production, `task-manager-${role}`)
          .filter((e) => e.value !== undefined)
          .map((e) => [e.name, e.value]),
      );
      const config = loadConfig({ ...data, ...secrets, ...env });
      expect(config.role).toBe(role);
      expect(config.env).toBe('production');
      expect(config.migrateOnStart).toBe(false);
    }
  });

  it('has the pieces of a production deployment', () => {
    const kinds = new Set(production.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Job',
      'Service',
      'Ingress',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ConfigMap',
      'ServiceMonitor',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const job = workloads(production).find((w) => w.object.kind === 'Job');
    expect(job?.pod.containers[0]?.command).toEqual(['node', 'src/cli/migrate.ts']);

    const annotations = find(production, 'Ingress', 'task-manager-api').metadata
      .annotations as Record<string, string>;
    expect(
      Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThanOrEqual(3600);
    expect(
      Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout']),
    ).toBeGreaterThanOrEqual(3600);

    for (const workload of workloads(production)) {
      for (const container of workload.pod.containers) {
        expect(container.image, workload.id).toMatch(
          /^[\w.-]+\.amazonaws\.com\/task-manager-api:[\w.-]+$/,
        );
      }
    }
  });

  it('labels the migration Job and all it needs, and nothing that serves, for the pre-rollout step', () => {
    const pre = new Set(
      production
        .filter((o) => o.metadata.labels?.['rollout-phase'] === 'pre')
        .map((o) => `${o.kind}/${o.metadata.name}`),
    );
    const job = workloads(production).find((w) => w.object.kind === 'Job');
    const needs = [
      'Job/task-manager-migrate',
      'Namespace/task-manager',
      `ServiceAccount/${job?.pod.serviceAccountName}`,
      ...(job?.pod.containers ?? []).flatMap((c) =>
        (c.envFrom ?? []).map((s) => `ConfigMap/${s.configMapRef?.name}`),
      ),
      ...production
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => `NetworkPolicy/${o.metadata.name}`),
    ];
    for (const name of needs) expect(pre, name).toContain(name);
    expect(
      [...pre].filter((name) => /^(Deployment|HorizontalPodAutoscaler|Service)\//.test(name)),
    ).toEqual([]);
  });

  it(
    'finds every kind of mistake in a deliberately broken deployment',
    { timeout: 60_000 },
    async () => {
      const broken = await renderKustomization(brokenDir);
      const margin = await shutdownDeadlineMarginMs();
      expect(schemaProblems(broken)).toEqual([
        expect.stringMatching(/^Deployment\/broken-api: .*spec\/replicas must be integer/),
      ]);
      expect(typeProblems(broken, root)).toEqual([
        "Deployment/broken-api: Type 'string' is not assignable to type 'number'.",
        `Deployment/broken-api: Object literal may only specify known properties, and '"resoures"' does not exist in type 'IContainer'.`,
      ]);
      const wiring = envWiringProblems(broken, variables);
      expect(wiring).toContain(
        'Deployment/broken-api container api: LOG_LEVEL is not wired: add it to the ConfigMap broken-config (deploy/kubernetes/base/configmap.yaml)',
      );
      expect(wiring).toContain(
        "Deployment/broken-api container api: DATABASE_URL is not wired: add it as a secretKeyRef to the Secret task-manager-secrets in the container's env",
      );
      expect(wiring.join('\n')).not.toMatch(/ (NODE_ENV|JWT_SECRET) is not wired/);
      expect(inlineSecretProblems(broken)).toEqual([
        'Deployment/broken-api container api: JWT_SECRET must come from a secretKeyRef',
      ]);
      expect(pathProblems(broken, routes)).toEqual([
        'Deployment/broken-api container api readinessProbe: no route /healthz',
      ]);
      expect(podHardeningProblems(broken)).toEqual([
        'Deployment/broken-api: pod securityContext.runAsNonRoot must be true',
        'Deployment/broken-api container api: readOnlyRootFilesystem must be true',
        'Deployment/broken-api container api: allowPrivilegeEscalation must be false',
        'Deployment/broken-api container api: /tmp must be a writable emptyDir (uploads spool there)',
        'Deployment/broken-api container api: resources.requests.cpu is not set',
        'Deployment/broken-api container api: resources.requests.memory is not set',
        'Deployment/broken-api container api: resources.limits.memory is not set',
      ]);
      expect(shutdownProblems(broken, margin)).toEqual([
        `Deployment/broken-api: terminationGracePeriodSeconds 10 must exceed preStop 0 ms + SHUTDOWN_TIMEOUT_MS 10000 ms + ${margin} ms`,
      ]);
    },
  );
});
