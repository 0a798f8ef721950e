import type { Database } from '../db/database';
import { AppError, ErrorCode, NotFoundError } from '../errors/errors';
import { generateApiKey } from './apiKeyToken';
import { isRole, type Role } from './roles';

/** The stored form of an API key: everything but the secret, which only its holder knows. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** Requests per minute; undefined = the service default (AUTH_RATE_LIMIT). */
  ratePerMinute?: number;
  hash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface NewApiKey {
  name: string;
  role: Role;
  ratePerMinute?: number;
}

interface Row {
  id: string;
  name: string;
  role: string;
  rate: number | null;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
}

const RETURN_KEY = `RETURN k.id AS id, k.name AS name, k.role AS role, k.ratePerMinute AS rate, k.hash AS hash,
       toString(k.createdAt) AS createdAt, toString(k.revokedAt) AS revokedAt`;

function toRecord(row: Row): ApiKeyRecord {
  // A role outside the vocabulary (a hand-edited node) must not grant anything.
  if (!isRole(row.role))
    throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `API key ${row.id} has unknown role`);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    ratePerMinute: row.rate ?? undefined,
    hash: row.hash,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt ?? undefined,
  };
}

/** Creates a key; the returned token is the only time the secret exists outside its holder. */
export async function createApiKey(
  db: Database,
  key: NewApiKey,
): Promise<{ record: ApiKeyRecord; token: string }> {
  // The id has 48 random bits; a collision is improbable, and the constraint turns one into a retry.
  for (let attempt = 0; ; attempt++) {
    const generated = generateApiKey();
    try {
      const res = await db.write('apiKeys.create', (tx) =>
        tx.run<Row>(
          `CREATE (k:ApiKey {id: $id, name: $name, role: $role, ratePerMinute: $rate, hash: $hash,
                             createdAt: datetime()})
           ${RETURN_KEY}`,
          {
            id: generated.id,
            name: key.name,
            role: key.role,
            rate: key.ratePerMinute ?? null,
            hash: generated.hash,
          },
        ),
      );
      return { record: toRecord(res.records[0].toObject()), token: generated.token };
    } catch (err) {
      if (!(err instanceof AppError && err.code === ErrorCode.CONFLICT) || attempt >= 2) throw err;
    }
  }
}

export async function findApiKey(db: Database, id: string): Promise<ApiKeyRecord | undefined> {
  const res = await db.query<Row>('apiKeys.find', `MATCH (k:ApiKey {id: $id}) ${RETURN_KEY}`, { id });
  return res.records.length > 0 ? toRecord(res.records[0].toObject()) : undefined;
}

export async function listApiKeys(db: Database): Promise<ApiKeyRecord[]> {
  const res = await db.query<Row>(
    'apiKeys.list',
    `MATCH (k:ApiKey) ${RETURN_KEY} ORDER BY k.createdAt, k.id`,
  );
  return res.records.map((r) => toRecord(r.toObject()));
}

/** Marks a key revoked (kept, so `keys list` shows what existed); revoking twice keeps the first time. */
export async function revokeApiKey(
  db: Database,
  id: string,
): Promise<{ record: ApiKeyRecord; already: boolean }> {
  const res = await db.write('apiKeys.revoke', (tx) =>
    tx.run<Row & { already: boolean }>(
      `MATCH (k:ApiKey {id: $id})
       WITH k, k.revokedAt IS NOT NULL AS already
       SET k.revokedAt = coalesce(k.revokedAt, datetime())
       ${RETURN_KEY}, already`,
      { id },
    ),
  );
  if (res.records.length === 0) throw new NotFoundError(`no API key with id ${id}`, { id });
  const row = res.records[0].toObject();
  return { record: toRecord(row), already: row.already };
}
