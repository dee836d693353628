import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The subset of Kustomize that deploy/kubernetes uses, so tests validate exactly what
 * `kubectl kustomize` would deploy without needing the binary: `resources` (files and
 * directories), `namespace`, `labels` (metadata only), `images`, and `patches` given by `path`
 * (strategic merge, target taken from the patch's kind and name). Any other field throws, so a
 * kustomization that grows past this subset fails the test instead of being rendered wrongly.
 */

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<
    string,
    unknown
  >;
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  labels?: {
    pairs: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
  }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path: string; target?: unknown }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'images',
  'patches',
]);

/** Kinds without a namespace among those a kustomization here may hold. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass']);

/** Renders the kustomization in `dir`; `read` collects every file it read. */
export async function renderKustomization(
  dir: string,
  read: Set<string> = new Set(),
): Promise<Manifest[]> {
  const file = path.join(dir, 'kustomization.yaml');
  read.add(file);
  const [spec] = await readYaml<Kustomization>(file);
  if (!spec) throw new Error(`${file} is empty`);
  const unsupported = Object.keys(spec).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${file}: unsupported field(s) ${unsupported.join(', ')}; extend the renderer`);
  }

  let objects: Manifest[] = [];
  for (const resource of spec.resources ?? []) {
    const target = path.resolve(dir, resource);
    objects.push(
      ...((await stat(target)).isDirectory()
        ? await renderKustomization(target, read)
        : await readManifests(target, read)),
    );
  }

  for (const patchRef of spec.patches ?? []) {
    if (patchRef.target !== undefined) {
      throw new Error(`${file}: patches with an explicit target are not supported`);
    }
    for (const patch of await readManifests(path.resolve(dir, patchRef.path), read)) {
      const index = objects.findIndex(
        (o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name,
      );
      if (index < 0) {
        throw new Error(`${patchRef.path}: no ${patch.kind}/${patch.metadata.name} to patch`);
      }
      objects[index] = strategicMerge(objects[index], patch) as Manifest;
    }
  }

  if (spec.namespace) {
    const namespace = spec.namespace;
    objects = objects.map((o) =>
      CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } },
    );
  }

  for (const label of spec.labels ?? []) {
    if (label.includeSelectors || label.includeTemplates) {
      throw new Error(`${file}: labels with includeSelectors/includeTemplates are not supported`);
    }
    objects = objects.map((o) => ({
      ...o,
      metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...label.pairs } },
    }));
  }

  for (const image of spec.images ?? []) {
    objects = objects.map((o) => retagImages(o, image));
  }
  return objects;
}

export async function readManifests(file: string, read?: Set<string>): Promise<Manifest[]> {
  read?.add(file);
  const docs = await readYaml<Manifest>(file);
  return docs.filter((doc): doc is Manifest => doc !== null && doc !== undefined);
}

async function readYaml<T>(file: string): Promise<(T | null)[]> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS() as T | null;
  });
}

/** The merge key of a list field, as in the Kubernetes API's strategic merge patch. */
function mergeKey(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      return items.some((item) => isObject(item) && 'containerPort' in item)
        ? 'containerPort'
        : 'port';
    default:
      return undefined; // replaced whole, like every list without a merge key
  }
}

export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = Array.isArray(target) ? mergeKey(field, [...target, ...patch]) : undefined;
    if (!key || !Array.isArray(target)) return patch;
    const merged = [...target];
    for (const item of patch) {
      const at = merged.findIndex((t) => isObject(t) && isObject(item) && t[key] === item[key]);
      if (at < 0) merged.push(item);
      else merged[at] = strategicMerge(merged[at], item);
    }
    return merged;
  }
  if (!isObject(patch) || !isObject(target)) return patch;
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = strategicMerge(target[key], value, key);
  }
  return merged;
}

function retagImages(object: Manifest, image: NonNullable<Kustomization['images']>[number]) {
  const replace = (ref: string) => {
    const name = ref.split('@')[0]?.replace(/:[^/:]+$/, '');
    if (name !== image.name) return ref;
    const base = image.newName ?? name;
    if (image.digest) return `${base}@${image.digest}`;
    return image.newTag ? `${base}:${image.newTag}` : base;
  };
  const walk = (node: unknown, field = ''): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, field));
    if (!isObject(node)) return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      copy[key] =
        key === 'image' && typeof value === 'string' && /containers$/i.test(field)
          ? replace(value)
          : walk(value, key);
    }
    return copy;
  };
  return walk(object) as Manifest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
