// API keys (src/auth/apiKey.store.ts): one node per key, found by its public id. Only the SHA-256 of
// the key's secret is stored.
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE;
