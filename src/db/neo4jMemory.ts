/**
 * Memory settings of the local Neo4j (src/db/localNeo4j.ts), apart from it so that the configuration
 * (src/config/config.ts) can check NEO4J_HEAP and NEO4J_PAGE_CACHE without loading the driver: the
 * GPU benchmark ships a node_modules without neo4j-driver.
 */

/** Defaults of NEO4J_HEAP and NEO4J_PAGE_CACHE. */
export const DEFAULT_HEAP = '1g';
export const DEFAULT_PAGE_CACHE = '256m';
/** A JVM-style memory size: digits and k, m or g (`512m`, `2g`); NEO4J_HEAP and NEO4J_PAGE_CACHE are checked against it. */
export const MEMORY_SIZE = /^[1-9][0-9]{0,6}[kmgKMG]$/;
