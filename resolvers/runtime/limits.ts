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
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
  valueFromASTUntyped,
} from 'graphql';

/**
 * Guards against queries that would make the server or Neo4j do unbounded work: selection depth and
 * alias count are checked during validation (no variables needed); cost needs the page sizes, which
 * may be variables, so it is checked once the operation is resolved.
 */

export interface QueryLimits {
  maxQueryDepth: number;
  maxQueryCost: number;
  maxAliases: number;
}

/** Page size assumed for a list field without `first`, matching the resolvers' default. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * Apollo reports validation-rule errors under its own code GRAPHQL_VALIDATION_FAILED, so the specific
 * limit travels in `extensions.reason` as well.
 */
function limitError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, reason: code } });
}

function depthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(sel.selectionSet, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, seen));
        } else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (frag && !seen.has(name))
            deepest = Math.max(deepest, depthOf(frag.selectionSet, new Set(seen).add(name)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet, new Set());
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

export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
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
  seen: Set<string> = new Set(),
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
      cost += 1 + multiplier * estimateCost(schema, child, sel.selectionSet, variables, fragments, seen);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? parent) : parent;
      cost += estimateCost(schema, on, sel.selectionSet, variables, fragments, seen);
    } else {
      const frag = fragments.get(sel.name.value);
      if (frag && !seen.has(sel.name.value)) {
        const on = schema.getType(frag.typeCondition.name.value) ?? parent;
        cost += estimateCost(
          schema,
          on,
          frag.selectionSet,
          variables,
          fragments,
          new Set(seen).add(sel.name.value),
        );
      }
    }
  }
  return cost;
}

export function queryCostPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
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
