import * as prometheusOperator from '@kubernetes-models/prometheus-operator';
import * as kubernetes from 'kubernetes-models';
import type { Manifest } from './kustomize.ts';

/**
 * Checks of rendered Kubernetes manifests. Each returns a list of problems, one readable line
 * each ("Deployment/x container y: ..."), empty when all is well, so a failing test says what to
 * fix and the deliberately broken fixture can assert exactly which problems are found.
 */

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

/** apiVersion + kind → the kubernetes-models class whose JSON schema validates it. */
const MODELS: Map<string, ModelClass> = (() => {
  const found = new Map<string, ModelClass>();
  const visit = (node: unknown, depth: number) => {
    if (depth > 3 || (typeof node !== 'object' && typeof node !== 'function') || node === null) {
      return;
    }
    const candidate = node as Partial<ModelClass>;
    if (
      typeof node === 'function' &&
      typeof candidate.apiVersion === 'string' &&
      typeof candidate.kind === 'string'
    ) {
      found.set(`${candidate.apiVersion}/${candidate.kind}`, node as ModelClass);
      return;
    }
    if (typeof node === 'object') for (const value of Object.values(node)) visit(value, depth + 1);
  };
  visit(kubernetes, 0);
  visit(prometheusOperator, 0);
  return found;
})();

/** Schema validation of every object (types, required fields, enums) with kubernetes-models. */
export function schemaProblems(objects: Manifest[]): string[] {
  return objects.flatMap((object) => {
    const id = objectId(object);
    const Model = MODELS.get(`${object.apiVersion}/${object.kind}`);
    if (!Model) return [`${id}: no schema for ${object.apiVersion} ${object.kind}`];
    try {
      new Model(object).validate();
      return [];
    } catch (err) {
      return [`${id}: ${err instanceof Error ? err.message : String(err)}`];
    }
  });
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface Probe {
  httpGet?: { path?: string; port: string | number };
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; emptyDir?: unknown }[];
}

export interface Workload {
  object: Manifest;
  id: string;
  labels: Record<string, string>;
  pod: PodSpec;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function workloads(objects: Manifest[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((object) => {
      const template = (
        object.spec as {
          template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
        }
      ).template;
      return {
        object,
        id: objectId(object),
        labels: template.metadata?.labels ?? {},
        pod: template.spec,
      };
    });
}

/**
 * Names that are secrets: they must come from a Secret, never a ConfigMap or an inline value.
 * Durations, sizes and counts (`RETENTION_ROTATED_REFRESH_TOKEN_DAYS`, `PASSWORD_HASH_QUEUE`) only
 * mention one.
 */
export function isSecretName(name: string): boolean {
  return (
    (/(SECRET|TOKEN|PASSWORD|PRIVATE_KEY|CREDENTIALS)/.test(name) &&
      !/_(DAYS|MINUTES|SECONDS|MS|BYTES|SIZE|CONCURRENCY|QUEUE)$/.test(name)) ||
    ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL'].includes(name)
  );
}

/**
 * Every variable the configuration reads is set in every container of every workload, from the
 * pod's env or a ConfigMap it loads with envFrom. The message names the variable and where to add
 * it, so wiring a new setting is a one-line change.
 */
export function envWiringProblems(objects: Manifest[], variables: readonly string[]): string[] {
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, Object.keys((o.data as Record<string, string>) ?? {})]),
  );
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    for (const container of workload.pod.containers) {
      const where = `${workload.id} container ${container.name}`;
      const wired = new Set((container.env ?? []).map((e) => e.name));
      const maps: string[] = [];
      for (const source of container.envFrom ?? []) {
        if (source.secretRef) {
          problems.push(
            `${where}: envFrom secretRef hides which secrets are set; use secretKeyRef`,
          );
        }
        const name = source.configMapRef?.name;
        if (!name) continue;
        const keys = configMaps.get(name);
        if (!keys)
          problems.push(`${where}: envFrom names ConfigMap ${name}, which is not deployed`);
        for (const key of keys ?? []) wired.add(key);
        maps.push(name);
      }
      for (const variable of variables) {
        if (wired.has(variable)) continue;
        const hint = isSecretName(variable)
          ? `add it as a secretKeyRef to the Secret task-manager-secrets in the container's env`
          : `add it to the ConfigMap ${maps[0] ?? '(none loaded)'} (deploy/kubernetes/base/configmap.yaml)`;
        problems.push(`${where}: ${variable} is not wired: ${hint}`);
      }
    }
  }
  return problems;
}

/** Secrets never inline: no Secret object with data, no secret in a ConfigMap or a literal env value. */
export function inlineSecretProblems(objects: Manifest[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (
      object.kind === 'Secret' &&
      (object.data !== undefined || object.stringData !== undefined)
    ) {
      problems.push(`${objectId(object)}: secret values in a manifest; create the Secret outside`);
    }
    if (object.kind === 'ConfigMap') {
      for (const key of Object.keys((object.data as Record<string, string>) ?? {})) {
        if (isSecretName(key)) problems.push(`${objectId(object)}: ${key} is a secret`);
      }
    }
  }
  for (const workload of workloads(objects)) {
    for (const container of workload.pod.containers) {
      for (const entry of container.env ?? []) {
        if (isSecretName(entry.name) && entry.valueFrom?.secretKeyRef === undefined) {
          problems.push(
            `${workload.id} container ${container.name}: ${entry.name} must come from a secretKeyRef`,
          );
        }
      }
    }
  }
  return problems;
}

/** Every HTTP probe and scrape path is a route the service serves. */
export function pathProblems(objects: Manifest[], routes: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    for (const container of workload.pod.containers) {
      const ports = new Set((container.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
      for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
        const get = container[kind]?.httpGet;
        if (!get) continue;
        const where = `${workload.id} container ${container.name} ${kind}`;
        if (!routes.has(get.path ?? '/')) problems.push(`${where}: no route ${get.path}`);
        if (!ports.has(get.port)) problems.push(`${where}: no container port ${get.port}`);
      }
    }
  }
  for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const endpoints = (monitor.spec as { endpoints?: { path?: string }[] }).endpoints ?? [];
    for (const endpoint of endpoints) {
      if (!routes.has(endpoint.path ?? '/metrics')) {
        problems.push(`${objectId(monitor)}: no route ${endpoint.path}`);
      }
    }
  }
  return problems;
}

/**
 * Pods run as non-root on a read-only root filesystem with bounded resources; a Deployment that
 * serves HTTP has startup, liveness and readiness probes.
 */
export function podHardeningProblems(objects: Manifest[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    if (workload.pod.securityContext?.runAsNonRoot !== true) {
      problems.push(`${workload.id}: pod securityContext.runAsNonRoot must be true`);
    }
    const emptyDirs = new Set(
      (workload.pod.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name),
    );
    for (const container of workload.pod.containers) {
      const where = `${workload.id} container ${container.name}`;
      const security = container.securityContext ?? {};
      if (security.readOnlyRootFilesystem !== true) {
        problems.push(`${where}: readOnlyRootFilesystem must be true`);
      }
      if (security.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: allowPrivilegeEscalation must be false`);
      }
      const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
      if (!tmp || !emptyDirs.has(tmp.name)) {
        problems.push(`${where}: /tmp must be a writable emptyDir (uploads spool there)`);
      }
      for (const [kind, key] of [
        ['requests', 'cpu'],
        ['requests', 'memory'],
        ['limits', 'memory'],
      ] as const) {
        if (!container.resources?.[kind]?.[key]) {
          problems.push(`${where}: resources.${kind}.${key} is not set`);
        }
      }
      const servesHttp = (container.ports ?? []).some((p) => p.name === 'http');
      if (workload.object.kind === 'Deployment' && servesHttp) {
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
          if (!container[probe]) problems.push(`${where}: no ${probe}`);
        }
      }
    }
  }
  return problems;
}

/**
 * SIGKILL must not cut the graceful shutdown short: the grace period exceeds the preStop pause
 * plus SHUTDOWN_TIMEOUT_MS plus the process's own hard-deadline margin.
 */
export function shutdownProblems(objects: Manifest[], deadlineMarginMs: number): string[] {
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data as Record<string, string>) ?? {}]),
  );
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    if (workload.object.kind !== 'Deployment') continue;
    const graceMs = (workload.pod.terminationGracePeriodSeconds ?? 30) * 1000;
    for (const container of workload.pod.containers) {
      const fromEnv = container.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value;
      const fromMap = (container.envFrom ?? [])
        .map((s) => configMaps.get(s.configMapRef?.name ?? '')?.SHUTDOWN_TIMEOUT_MS)
        .find((v) => v !== undefined);
      const shutdownMs = Number(fromEnv ?? fromMap ?? 10_000);
      const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
      const needed = preStopMs + shutdownMs + deadlineMarginMs;
      if (graceMs <= needed) {
        problems.push(
          `${workload.id}: terminationGracePeriodSeconds ${graceMs / 1000} must exceed preStop ${preStopMs} ms + SHUTDOWN_TIMEOUT_MS ${shutdownMs} ms + ${deadlineMarginMs} ms`,
        );
      }
    }
  }
  return problems;
}

/**
 * References between objects resolve: Services, PodDisruptionBudgets and NetworkPolicies select
 * some pod; autoscalers target a deployed workload; an Ingress and a ServiceMonitor point at a
 * Service port that exists; every ConfigMap or Secret a Deployment names is either deployed or
 * the one Secret created outside (`externalSecrets`).
 */
export function referenceProblems(
  objects: Manifest[],
  externalSecrets: readonly string[],
): string[] {
  const problems: string[] = [];
  const pods = workloads(objects);
  const selects = (selector: Record<string, string> | undefined) =>
    pods.some((w) => Object.entries(selector ?? {}).every(([k, v]) => w.labels[k] === v));
  const services = objects.filter((o) => o.kind === 'Service');
  const servicePorts = (name: string) =>
    (
      (services.find((s) => s.metadata.name === name)?.spec as { ports?: { name?: string }[] })
        ?.ports ?? []
    ).map((p) => p.name);

  for (const service of services) {
    const selector = (service.spec as { selector?: Record<string, string> }).selector;
    if (!selects(selector)) problems.push(`${objectId(service)}: selects no pod`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector;
    if (!selects(selector?.matchLabels)) problems.push(`${objectId(pdb)}: selects no pod`);
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    if (!objects.some((o) => o.kind === target.kind && o.metadata.name === target.name)) {
      problems.push(`${objectId(hpa)}: targets missing ${target.kind}/${target.name}`);
    }
  }
  for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
    const rules = (
      ingress.spec as {
        rules?: {
          http?: { paths?: { backend: { service: { name: string; port: { name?: string } } } }[] };
        }[];
      }
    ).rules;
    for (const p of (rules ?? []).flatMap((r) => r.http?.paths ?? [])) {
      const { name, port } = p.backend.service;
      if (!servicePorts(name).includes(port.name)) {
        problems.push(`${objectId(ingress)}: no Service ${name} with port ${port.name}`);
      }
    }
  }
  for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const spec = monitor.spec as {
      selector: { matchLabels?: Record<string, string> };
      endpoints: { port?: string }[];
    };
    const matching = services.filter((s) =>
      Object.entries(spec.selector.matchLabels ?? {}).every(
        ([k, v]) => s.metadata.labels?.[k] === v,
      ),
    );
    if (matching.length === 0) problems.push(`${objectId(monitor)}: selects no Service`);
    for (const endpoint of spec.endpoints) {
      if (!matching.some((s) => servicePorts(s.metadata.name).includes(endpoint.port))) {
        problems.push(`${objectId(monitor)}: no selected Service has port ${endpoint.port}`);
      }
    }
  }
  const deployed = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const workload of pods) {
    for (const container of workload.pod.containers) {
      for (const source of container.envFrom ?? []) {
        const name = source.configMapRef?.name;
        if (name && !deployed.has(`ConfigMap/${name}`)) {
          problems.push(`${workload.id}: ConfigMap ${name} is not deployed`);
        }
      }
      for (const entry of container.env ?? []) {
        const ref = entry.valueFrom?.secretKeyRef as { name?: string } | undefined;
        if (
          ref?.name &&
          !deployed.has(`Secret/${ref.name}`) &&
          !externalSecrets.includes(ref.name)
        ) {
          problems.push(`${workload.id}: Secret ${ref.name} is neither deployed nor documented`);
        }
      }
    }
  }
  return problems;
}

export function objectId(object: Manifest): string {
  return `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
}
