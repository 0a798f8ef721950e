import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from './runtime/context';
import { migrationStatus } from '../src/db/migrations';
import { VERSION } from '../src/version';
import { ServerInfo } from './types/serverInfo.type';

@Resolver()
export class ServerInfoResolver {
  @Query(() => ServerInfo, { description: 'Versions of the service and its database.' })
  async serverInfo(@Ctx() { db }: RequestContext): Promise<ServerInfo> {
    const res = await db.query<{ version: string; edition: string }>(
      'serverInfo',
      "CALL dbms.components() YIELD name, versions, edition WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition",
    );
    const status = await migrationStatus(db);
    return {
      version: VERSION,
      neo4jVersion: res.records[0]?.get('version') ?? 'unknown',
      neo4jEdition: res.records[0]?.get('edition') ?? 'unknown',
      migrations: status.filter((s) => s.state === 'applied').map((s) => s.id),
    };
  }
}
