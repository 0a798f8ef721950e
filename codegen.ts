import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for clients: graphql-codegen over the committed SDL and the operations of
 * README.md's ```graphql blocks (`npm run codegen`; test/unit/graphql/codegen.test.ts runs it and
 * type-checks the output).
 */
export function readmeDocuments(root = __dirname): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const config = {
  enumsAsTypes: true,
  scalars: { DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>' },
};

export function codegenConfig(out: string, root = __dirname): CodegenConfig {
  return {
    schema: path.join(root, 'schema/schema.graphql'),
    documents: readmeDocuments(root),
    generates: {
      // The operations' variables and results (typescript-operations emits the enums and inputs they use).
      [out]: { plugins: ['typescript-operations'], config },
      // Every schema type, for code that handles whole objects.
      [out.replace(/\.ts$/, '.schema.ts')]: { plugins: ['typescript'], config },
    },
  };
}

// CODEGEN_OUT: where to write (the test writes into a temp folder).
export default codegenConfig(process.env.CODEGEN_OUT ?? path.join(__dirname, 'dist/codegen/graphql.ts'));
