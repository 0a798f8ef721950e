import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync, NonEmptyArray } from 'type-graphql';
import { authChecker } from './authChecker';
import { CatalogueResolver } from '../catalogue.resolver';
import { ImageResolver } from '../image.resolver';
import { IngestResolver } from '../ingest.resolver';
import { LayerResolver, RelationResolver } from '../relation.resolver';
import { ReviewResolver } from '../review.resolver';
import { SceneExportResolver, SceneTextResolver } from '../sceneText.resolver';
import { SceneObjectResolver } from '../sceneObject.resolver';
import { SearchResolver } from '../search.resolver';
import { ServerInfoResolver } from '../serverInfo.resolver';
import { SpatialEdgeResolver, SpatialResolver } from '../spatial.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  ServerInfoResolver,
  ImageResolver,
  SceneObjectResolver,
  RelationResolver,
  LayerResolver,
  SpatialResolver,
  SpatialEdgeResolver,
  SearchResolver,
  CatalogueResolver,
  IngestResolver,
  ReviewResolver,
  SceneTextResolver,
  SceneExportResolver,
];

let cached: GraphQLSchema | undefined;

/** Built once per process: type-graphql's metadata is global, and the schema never changes at run time. */
export function buildGraphQLSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({ resolvers: RESOLVERS, validate: false, authChecker });
  return cached;
}

/** The SDL committed as schema/schema.graphql; sorted so that a diff shows only real changes. */
export function printGraphQLSchema(): string {
  return printSchema(lexicographicSortSchema(buildGraphQLSchema())) + '\n';
}
