import { Field } from 'type-graphql';
import { ObjectType } from './objectType';

@ObjectType({ description: 'The running service and the database it serves.' })
export class ServerInfo {
  @Field({ description: 'Version of the service.' })
  version!: string;

  @Field({ description: 'Neo4j server version, e.g. "5.26.0".' })
  neo4jVersion!: string;

  @Field({ description: 'Neo4j edition ("community" or "enterprise").' })
  neo4jEdition!: string;

  @Field(() => [String], { description: 'Migrations applied to the database, in order.' })
  migrations!: string[];
}
