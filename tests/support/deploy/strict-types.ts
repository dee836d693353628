import path from 'node:path';
import ts from 'typescript';
import type { Manifest } from './kustomize.ts';
import { objectId } from './manifest-checks.ts';

/**
 * Strict field checking, which JSON-schema validation of Kubernetes objects lacks: their schemas
 * allow unknown fields, so a misspelt `readinesProbe` would pass there and only fail at
 * `kubectl apply`. Here every object becomes an object literal typed with its kubernetes-models
 * interface, and the TypeScript checker reports unknown fields (excess property checks) and wrong
 * types, at any depth.
 */

const PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

function modelImport(object: Manifest): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const pkg = PACKAGES[group] ?? 'kubernetes-models';
  return `${pkg}/${object.apiVersion}/${object.kind}`;
}

export function typeProblems(objects: Manifest[], root: string): string[] {
  const fileName = path.join(root, '__rendered-manifests__.ts');
  let text = objects
    .map((object, i) => `import type { I${object.kind} as T${i} } from '${modelImport(object)}';\n`)
    .join('');
  const starts: { offset: number; object: Manifest }[] = [];
  objects.forEach((object, i) => {
    starts.push({ offset: text.length, object });
    text += `export const o${i}: T${i} = ${JSON.stringify(object, null, 1)};\n`;
  });

  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2024,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) =>
    name === fileName
      ? ts.createSourceFile(name, text, version)
      : getSourceFile(name, version, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));

  const program = ts.createProgram([fileName], options, host);
  const source = program.getSourceFile(fileName);
  const diagnostics = [
    ...program.getSyntacticDiagnostics(source),
    ...program.getSemanticDiagnostics(source),
  ];
  return diagnostics.map((d) => {
    const owner = starts.findLast((s) => s.offset <= (d.start ?? 0));
    const where = owner ? objectId(owner.object) : 'manifests';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
