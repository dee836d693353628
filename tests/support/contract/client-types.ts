import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

/**
 * TypeScript types for openapi-fetch from an OpenAPI document, as a client team generates them.
 * openapi-typescript types `format: binary` as `string` by default, which no file value fits:
 * the `transform` maps it to `Blob`, so an upload takes a `Blob` (or `File`) and a download
 * parsed `as: 'blob'` is typed so too.
 */
export async function generateClientTypes(document: URL): Promise<string> {
  const nodes = await openapiTS(document, {
    transform(schema) {
      if (schema.format !== 'binary') return undefined;
      const nullable = Array.isArray(schema.type) && schema.type.includes('null');
      return nullable
        ? ts.factory.createUnionTypeNode([
            BLOB,
            ts.factory.createLiteralTypeNode(ts.factory.createNull()),
          ])
        : BLOB;
    },
  });
  return astToString(nodes);
}
