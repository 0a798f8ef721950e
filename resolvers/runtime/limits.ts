import type { ApolloServerPlugin } from '@apollo/server';
import {
  ASTVisitor,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLNamedType,
  GraphQLSchema,
  isInterfaceType,
  isListType,
  isObjectType,
  GraphQLError,
  DocumentNode,
  Kind,
  OperationDefinitionNode,
  parse,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
  valueFromASTUntyped,
} from 'graphql';

/**
 * Guards against queries that would make the server or Neo4j do unbounded work. In order:
 * - the document's size once fragments are expanded (MAX_QUERY_FIELDS), counted with memoised
 *   fragment sizes before graphql-js validates anything, since some of its rules expand fragments and
 *   a few hundred bytes of nested spreads would keep them busy for seconds (a fragment bomb);
 * - selection depth and alias count, during validation (no variables needed);
 * - cost, which needs the page sizes (maybe variables), once the operation is resolved.
 * Every limit error is a client error: HTTP 400 with its code.
 */

export interface QueryLimits {
  maxQueryDepth: number;
  maxQueryCost: number;
  maxAliases: number;
  maxQueryFields: number;
}

/** Page size assumed for a list field without `first`, matching the resolvers' default. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * Apollo reports validation-rule errors under its own code GRAPHQL_VALIDATION_FAILED, so the specific
 * limit travels in `extensions.reason` as well.
 */
export function limitError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, reason: code, http: { status: 400 } } });
}

/**
 * Fields of the document once every fragment spread is expanded, per operation (the largest), with
 * each fragment's size computed once: linear in the document, however deep the spreads nest. A spread
 * of an unknown fragment or a cycle counts 0 here; validation reports those afterwards.
 */
export function expandedFieldCount(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();
  const sizeOf = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let n = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) n += 1 + sizeOf(sel.selectionSet);
      else if (sel.kind === Kind.INLINE_FRAGMENT) n += sizeOf(sel.selectionSet);
      else n += fragmentSize(sel.name.value);
      // Saturate: the exact figure past any sane limit does not matter, and numbers stay finite.
      if (n > Number.MAX_SAFE_INTEGER / 4) return Number.MAX_SAFE_INTEGER / 4;
    }
    return n;
  };
  const fragmentSize = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const frag = fragments.get(name);
    if (!frag || inProgress.has(name)) return 0;
    inProgress.add(name);
    const n = sizeOf(frag.selectionSet);
    inProgress.delete(name);
    memo.set(name, n);
    return n;
  };
  let largest = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) largest = Math.max(largest, sizeOf(def.selectionSet));
  }
  return largest;
}

function depthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    // A fragment's depth does not depend on where it is spread: computed once (cycles count 0).
    const memo = new Map<string, number>();
    const inProgress = new Set<string>();
    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(sel.selectionSet));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet));
        } else {
          const name = sel.name.value;
          let d = memo.get(name);
          const frag = fragments.get(name);
          if (d === undefined && frag && !inProgress.has(name)) {
            inProgress.add(name);
            d = depthOf(frag.selectionSet);
            inProgress.delete(name);
            memo.set(name, d);
          }
          deepest = Math.max(deepest, d ?? 0);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet);
        if (depth > max) {
          context.reportError(
            limitError(
              `Query depth ${depth} exceeds the limit of ${max} (MAX_QUERY_DEPTH)`,
              'QUERY_TOO_DEEP',
            ),
          );
        }
      },
    };
  };
}

function aliasRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node: FieldNode) {
        if (node.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases > max) {
            context.reportError(
              limitError(`${aliases} aliases exceed the limit of ${max} (MAX_ALIASES)`, 'TOO_MANY_ALIASES'),
            );
          }
        },
      },
    };
  };
}

export function queryLimitRules(limits: Pick<QueryLimits, 'maxQueryDepth' | 'maxAliases'>): ValidationRule[] {
  return [depthRule(limits.maxQueryDepth), aliasRule(limits.maxAliases)];
}

/** Size assumed for a list field without `first` (an image's objects, an object's relations). */
export const ASSUMED_LIST_SIZE = 10;

/**
 * Estimated cost: an upper bound of the nodes a response can hold, which is what a caller can make
 * the server load. Each field costs 1; everything below a field that takes `first` is multiplied by
 * that page size (DEFAULT_PAGE_SIZE when omitted), and everything below any other list field by
 * ASSUMED_LIST_SIZE. A connection's `edges` list is already bounded by its `first`.
 */
export function estimateCost(
  schema: GraphQLSchema,
  parent: GraphQLNamedType,
  set: SelectionSetNode | undefined,
  variables: Record<string, unknown>,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, number> = new Map(),
  inProgress: Set<string> = new Set(),
): number {
  if (!set) return 0;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const field =
        isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[sel.name.value] : undefined;
      const type = field ? getNullableType(field.type) : undefined;
      const firstArg = sel.arguments?.find((a) => a.name.value === 'first');
      let multiplier = 1;
      if (firstArg) {
        const v = valueFromASTUntyped(firstArg.value, variables);
        multiplier = typeof v === 'number' && v > 0 ? v : DEFAULT_PAGE_SIZE;
      } else if (field?.args.some((a) => a.name === 'first')) {
        multiplier = DEFAULT_PAGE_SIZE;
      } else if (type && isListType(type) && sel.name.value !== 'edges') {
        multiplier = ASSUMED_LIST_SIZE;
      }
      const child = type ? getNamedType(type) : parent;
      cost +=
        1 +
        multiplier * estimateCost(schema, child, sel.selectionSet, variables, fragments, memo, inProgress);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? parent) : parent;
      cost += estimateCost(schema, on, sel.selectionSet, variables, fragments, memo, inProgress);
    } else {
      // A fragment's cost depends only on its type condition and the variables: computed once.
      const name = sel.name.value;
      const frag = fragments.get(name);
      let c = memo.get(name);
      if (c === undefined && frag && !inProgress.has(name)) {
        const on = schema.getType(frag.typeCondition.name.value) ?? parent;
        inProgress.add(name);
        c = estimateCost(schema, on, frag.selectionSet, variables, fragments, memo, inProgress);
        inProgress.delete(name);
        memo.set(name, c);
      }
      cost += c ?? 0;
    }
    if (cost > Number.MAX_SAFE_INTEGER / 4) return Number.MAX_SAFE_INTEGER / 4;
  }
  return cost;
}

const TRIVIAL_DOCUMENT = parse('{ __typename }');

/** Query sources whose expanded field count queryLimitsPlugin keeps (oldest dropped first). */
const COUNTED_QUERIES = 1000;

/**
 * Apollo's cache of parsed and validated documents (its `documentStore`), an LRU by query hash, that
 * can also answer "already validated" with a trivial document for a query the limits plugin refused:
 * Apollo then neither parses nor validates the refused query, and the plugin raises the refusal once
 * the operation is resolved. (Apollo reads this cache after the plugin's didResolveSource, so setting
 * the request's document there alone would be overwritten.)
 */
export class GuardedDocumentStore {
  private readonly docs = new Map<string, DocumentNode>();
  /** Query hashes refused, with how many requests for each are on their way to `get`. */
  private readonly refused = new Map<string, number>();

  constructor(private readonly maxEntries = 1000) {}

  refuse(queryHash: string): void {
    this.refused.set(queryHash, (this.refused.get(queryHash) ?? 0) + 1);
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    const hash = key.slice(key.lastIndexOf(':') + 1);
    const pending = this.refused.get(hash);
    if (pending) {
      if (pending > 1) this.refused.set(hash, pending - 1);
      else this.refused.delete(hash);
      return TRIVIAL_DOCUMENT;
    }
    const doc = this.docs.get(key);
    if (doc) {
      // Most recently used last.
      this.docs.delete(key);
      this.docs.set(key, doc);
    }
    return doc;
  }

  async set(key: string, value: DocumentNode): Promise<void> {
    if (value === TRIVIAL_DOCUMENT) return;
    this.docs.set(key, value);
    if (this.docs.size > this.maxEntries) this.docs.delete(this.docs.keys().next().value!);
  }

  async delete(key: string): Promise<boolean> {
    return this.docs.delete(key);
  }
}

/**
 * The limits Apollo's validation rules cannot enforce: the expanded size before validation starts,
 * subscriptions (the service has none; graphql-js would report a server fault), and cost.
 */
export function queryLimitsPlugin(limits: QueryLimits, store?: GuardedDocumentStore): ApolloServerPlugin {
  const maxCost = limits.maxQueryCost;
  // Expanded field counts by query hash (the SHA-256 of the source), so that a query sent again is not
  // parsed again here; as bounded as Apollo's document cache.
  const counted = new Map<string, number>();
  return {
    async requestDidStart() {
      let tooLarge: GraphQLError | undefined;
      return {
        async didResolveSource(requestContext) {
          // Counted on our own parse of the source, before Apollo parses and validates it.
          let fields = counted.get(requestContext.queryHash);
          if (fields === undefined) {
            let document: DocumentNode;
            try {
              document = parse(requestContext.source);
            } catch {
              return; // Apollo reports the syntax error.
            }
            fields = expandedFieldCount(document);
            counted.set(requestContext.queryHash, fields);
            if (counted.size > COUNTED_QUERIES) counted.delete(counted.keys().next().value!);
          }
          if (fields > limits.maxQueryFields) {
            tooLarge = limitError(
              `The query has ${fields} fields once its fragments are expanded; the limit is ${limits.maxQueryFields} (MAX_QUERY_FIELDS)`,
              'QUERY_TOO_LARGE',
            );
            // Apollo neither parses nor validates a document it finds set (or cached): the refused one
            // is replaced by a trivial one, and the refusal is raised below, where Apollo answers with it.
            store?.refuse(requestContext.queryHash);
            (requestContext as { document?: DocumentNode }).document = TRIVIAL_DOCUMENT;
          }
        },
        async didResolveOperation({ document, operation, request, schema }) {
          if (tooLarge) throw tooLarge;
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('Subscriptions are not supported; use queries and mutations', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const def of document.definitions) {
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
          }
          if (!operation) return;
          const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
          if (!root) return;
          const cost = estimateCost(schema, root, operation.selectionSet, request.variables ?? {}, fragments);
          if (cost > maxCost) {
            throw limitError(
              `Query cost ${cost} exceeds the limit of ${maxCost} (MAX_QUERY_COST)`,
              'QUERY_TOO_COSTLY',
            );
          }
        },
      };
    },
  };
}
