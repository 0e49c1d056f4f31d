// Query limits: a maximum selection depth (a validation rule) and a maximum estimated cost (checked once
// variables are known). Introspection fields (__schema, __type) are not counted.
// `graphql/index.js`, not `graphql`: the same CommonJS build Apollo Server loads (under Vitest a bare
// `graphql` resolves to the .mjs build, and two copies of graphql refuse each other's schema objects).
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql/index.js';

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

/** A validation rule refusing operations whose selections nest deeper than `maxDepth` fields. */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const depthOf = (set: SelectionSetNode, seen: Set<string>): number => {
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + (sel.selectionSet ? depthOf(sel.selectionSet, seen) : 0));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, seen));
        } else {
          const fragment = fragments.get(sel.name.value);
          if (!fragment || seen.has(sel.name.value)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set(seen).add(sel.name.value)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth)
          context.reportError(
            new GraphQLError(
              `the operation${node.name ? ` ${node.name.value}` : ''} nests ${depth} fields deep; at most ${maxDepth} are allowed`,
              { nodes: [node], extensions: { code: 'QUERY_TOO_COMPLEX' } },
            ),
          );
      },
    };
  };
}

export interface CostOptions {
  /** The page size assumed when `first` is not given. */
  defaultPageSize: number;
  /** The samples assumed for an `embeddings` query by cohort (its limit; default 1000). */
  maxEmbeddingBatch?: number;
}

/**
 * Fields that run the model cost this many plain fields per sample they embed, restore or score (list
 * fields per element); a cohort's survival by predicted risk group counts as embedding a full batch.
 */
export const MODEL_FIELD_COST: Readonly<Record<string, number>> = {
  'Query.embeddings': 10,
  'Sample.embedding': 10,
  'Sample.restoredValues': 10,
  'Sample.riskScore': 20,
  'Sample.cancerTypePrediction': 10,
};

/**
 * The estimated cost of an operation: every field resolved counts 1, and fields below a list field count
 * once per expected element: `first` (or the default page size) for paginated fields, the length of the
 * list argument for fields taking a list (e.g. genes), 1 otherwise. Model-backed fields cost more
 * (MODEL_FIELD_COST); `embeddings(cohortId)` counts as the maximum embedding batch, a cohort's
 * `imputationQuality` as restoring its `samples`.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  options: CostOptions,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const argValue = (field: FieldNode, name: string): unknown => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    return arg ? valueFromASTUntyped(arg.value as ValueNode, variables) : undefined;
  };
  const factor = (field: FieldNode, def: GraphQLField<unknown, unknown>): number => {
    if (def.args.some((a) => a.name === 'first')) {
      const first = argValue(field, 'first');
      return typeof first === 'number' ? Math.max(first, 1) : options.defaultPageSize;
    }
    if (!isListType(getNullableType(def.type))) return 1;
    for (const arg of def.args) {
      const value = argValue(field, arg.name);
      if (Array.isArray(value)) return Math.max(value.length, 1);
    }
    if (def.args.some((a) => a.name === 'cohortId') && argValue(field, 'cohortId') != null)
      return options.maxEmbeddingBatch ?? 1000;
    return 1;
  };
  /** What resolving the field once costs (before its selections). */
  const fieldCost = (field: FieldNode, def: GraphQLField<unknown, unknown>, typeName: string): number => {
    const key = `${typeName}.${def.name}`;
    if (key === 'Cohort.survival') {
      const groupBy = argValue(field, 'groupBy');
      return groupBy && groupBy !== 'CANCER_TYPE' ? 10 * (options.maxEmbeddingBatch ?? 1000) : 1;
    }
    if (key === 'Cohort.imputationQuality') {
      const samples = argValue(field, 'samples');
      return (
        MODEL_FIELD_COST['Sample.restoredValues']! * (typeof samples === 'number' ? Math.max(samples, 1) : 50)
      );
    }
    const weight = MODEL_FIELD_COST[key];
    return weight === undefined ? 1 : weight * factor(field, def);
  };
  const costOf = (set: SelectionSetNode, typeName: string, multiplier: number, seen: Set<string>): number => {
    const type = schema.getType(typeName);
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        const def =
          isObjectType(type) || isInterfaceType(type) ? type.getFields()[sel.name.value] : undefined;
        if (!def) continue;
        total += multiplier * fieldCost(sel, def, typeName);
        if (sel.selectionSet)
          total += costOf(sel.selectionSet, getNamedType(def.type).name, multiplier * factor(sel, def), seen);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += costOf(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, multiplier, seen);
      } else {
        const fragment = fragments.get(sel.name.value);
        if (!fragment || seen.has(sel.name.value)) continue;
        const inner = new Set(seen).add(sel.name.value);
        total += costOf(fragment.selectionSet, fragment.typeCondition.name.value, multiplier, inner);
      }
    }
    return total;
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  return costOf(operation.selectionSet, root.name, 1, new Set());
}

/** BAD request when the operation's estimated cost exceeds `maxCost`. */
export function checkCost(cost: number, maxCost: number): void {
  if (cost > maxCost)
    throw tooComplex(
      `the operation's estimated cost is ${cost}; at most ${maxCost} is allowed (ask for smaller pages)`,
    );
}
