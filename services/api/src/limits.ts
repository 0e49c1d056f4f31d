// Query limits: a maximum selection depth (a validation rule) and a maximum estimated cost (checked once
// variables are known). Introspection fields (__schema, __type) are costed like any other field, their
// lists by the schema's own sizes; they are not counted for depth (`ofType` chains are deep by nature).
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
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
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

/**
 * A validation rule refusing operations with more than `maxAliases` aliased fields, fragments counted each
 * time they are spread (so cheap fields cannot be repeated under many names within the cost limit).
 */
export function aliasLimit(maxAliases: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const perFragment = new Map<string, number>();
    const aliasesIn = (set: SelectionSetNode, seen: Set<string>): number => {
      let n = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD)
          n += (sel.alias ? 1 : 0) + (sel.selectionSet ? aliasesIn(sel.selectionSet, seen) : 0);
        else if (sel.kind === Kind.INLINE_FRAGMENT) n += aliasesIn(sel.selectionSet, seen);
        else n += fragmentAliases(sel.name.value, seen);
      }
      return n;
    };
    const fragmentAliases = (name: string, seen: Set<string>): number => {
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return 0; // unknown or cyclic: other rules refuse these
      if (!perFragment.has(name))
        perFragment.set(name, aliasesIn(fragment.selectionSet, new Set(seen).add(name)));
      return perFragment.get(name)!;
    };
    return {
      OperationDefinition(node) {
        const aliases = aliasesIn(node.selectionSet, new Set());
        if (aliases > maxAliases)
          context.reportError(
            new GraphQLError(
              `the operation${node.name ? ` ${node.name.value}` : ''} has ${aliases} aliased fields; at most ${maxAliases} are allowed`,
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
  'Query.predictProfiles': 10,
  'Sample.embedding': 10,
  'Sample.restoredValues': 10,
  'Sample.riskScore': 20,
  'Sample.cancerTypePrediction': 10,
  // one embedding per measured gene (up to the 1,000-gene vocabulary): a page of samples asking for it is refused
  'Sample.attributions': 10_000,
  // may start the same in the background
  'Sample.attributionsReady': 10_000,
};

/**
 * List fields whose length is that of one list inside an input object (argument, then field), rather than
 * of their first list argument.
 */
const LIST_LENGTH_FROM: Readonly<Record<string, readonly [string, string]>> = {
  'Query.predictProfiles': ['input', 'profiles'],
};

/** The expected length of each introspection list field: the schema's own counts (per parent, rounded up). */
const introspectionSizes = new WeakMap<GraphQLSchema, Record<string, number>>();
function introspectionListSize(schema: GraphQLSchema, key: string): number {
  let sizes = introspectionSizes.get(schema);
  if (!sizes) {
    const types = Object.values(schema.getTypeMap());
    const directives = schema.getDirectives();
    let fields = 0;
    let args = 0;
    let inputFields = 0;
    let enumValues = 0;
    let interfaces = 0;
    let possibleTypes = 0;
    for (const type of types) {
      if (isObjectType(type) || isInterfaceType(type)) {
        const defs = Object.values(type.getFields());
        fields += defs.length;
        for (const def of defs) args += def.args.length;
        interfaces += type.getInterfaces().length;
      }
      if (isInterfaceType(type) || isUnionType(type)) possibleTypes += schema.getPossibleTypes(type).length;
      if (isInputObjectType(type)) inputFields += Object.keys(type.getFields()).length;
      if (isEnumType(type)) enumValues += type.getValues().length;
    }
    const per = (n: number, of: number) => Math.max(1, Math.ceil(n / Math.max(of, 1)));
    sizes = {
      '__Schema.types': types.length,
      '__Schema.directives': directives.length,
      '__Type.fields': per(fields, types.length),
      '__Type.inputFields': per(inputFields, types.length),
      '__Type.enumValues': per(enumValues, types.length),
      '__Type.interfaces': per(interfaces, types.length),
      '__Type.possibleTypes': per(possibleTypes, types.length),
      '__Field.args': per(args, fields),
      '__Directive.args': per(
        directives.reduce((n, d) => n + d.args.length, 0),
        directives.length,
      ),
    };
    introspectionSizes.set(schema, sizes);
  }
  return sizes[key] ?? 1;
}

/** Every list in a value, outermost first (lists inside input objects and inside lists included). */
function listsIn(value: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) {
    out.push(value);
    for (const item of value) listsIn(item, out);
  } else if (value !== null && typeof value === 'object') {
    // plain objects only: not an Upload's file content
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null)
      for (const item of Object.values(value)) listsIn(item, out);
  }
  return out;
}

/**
 * The estimated cost of an operation: every field resolved counts 1, and fields below a list field count
 * once per expected element: the larger of `first` and `last` (or the default page size) for paginated
 * fields, the length of the list argument for fields taking a list (e.g. genes), 1 otherwise. Every other
 * element of a list argument (at any depth, e.g. sample IDs in a cohort's input, a profile's values) adds 1,
 * so no list goes uncosted. Model-backed fields cost more (MODEL_FIELD_COST); `embeddings(cohortId)`
 * counts as the maximum embedding batch, a cohort's `imputationQuality` as restoring its `samples`.
 * Introspection fields count too, their lists by the schema's sizes (e.g. `__schema { types }` as many
 * elements as the schema has types).
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
  // each argument's value is made once (the same array both sizes a list and is left out of its inputs)
  const argValues = new Map<FieldNode, Map<string, unknown>>();
  const valuesOf = (field: FieldNode): Map<string, unknown> => {
    let values = argValues.get(field);
    if (!values) {
      values = new Map();
      for (const arg of field.arguments ?? [])
        values.set(arg.name.value, valueFromASTUntyped(arg.value as ValueNode, variables));
      argValues.set(field, values);
    }
    return values;
  };
  const argValue = (field: FieldNode, name: string): unknown => valuesOf(field).get(name);
  /** The expected elements of the field's list (1 for other fields), and the list argument giving it. */
  const listSize = (
    field: FieldNode,
    def: GraphQLField<unknown, unknown>,
    typeName: string,
  ): { size: number; from?: unknown[] } => {
    const paged = def.args.filter((a) => a.name === 'first' || a.name === 'last');
    if (paged.length) {
      const sizes = paged.map((a) => argValue(field, a.name)).filter((v) => typeof v === 'number');
      return { size: sizes.length ? Math.max(...(sizes as number[]), 1) : options.defaultPageSize };
    }
    // a type reference's `ofType` chain ends after one or two wrappers: count each step as half a type
    if (typeName === '__Type' && def.name === 'ofType') return { size: 0.5 };
    if (!isListType(getNullableType(def.type))) return { size: 1 };
    if (typeName.startsWith('__')) return { size: introspectionListSize(schema, `${typeName}.${def.name}`) };
    const nested = LIST_LENGTH_FROM[`${typeName}.${def.name}`];
    if (nested) {
      const input = argValue(field, nested[0]);
      const list =
        input && typeof input === 'object' ? (input as Record<string, unknown>)[nested[1]] : undefined;
      if (Array.isArray(list)) return { size: Math.max(list.length, 1), from: list };
    }
    for (const arg of def.args) {
      const value = argValue(field, arg.name);
      if (Array.isArray(value)) return { size: Math.max(value.length, 1), from: value };
    }
    if (def.args.some((a) => a.name === 'cohortId') && argValue(field, 'cohortId') != null)
      return { size: options.maxEmbeddingBatch ?? 1000 };
    return { size: 1 };
  };
  /** Elements of the field's list arguments not already counted as its list size. */
  const inputCost = (field: FieldNode, from: unknown[] | undefined): number => {
    let n = 0;
    for (const value of valuesOf(field).values())
      for (const list of listsIn(value)) if (list !== from) n += list.length;
    return n;
  };
  /** What resolving the field once costs (before its selections). */
  const fieldCost = (
    field: FieldNode,
    def: GraphQLField<unknown, unknown>,
    typeName: string,
    list: { size: number; from?: unknown[] },
  ): number => {
    const key = `${typeName}.${def.name}`;
    const inputs = inputCost(field, list.from);
    if (key === 'Cohort.survival') {
      const groupBy = argValue(field, 'groupBy');
      return (groupBy && groupBy !== 'CANCER_TYPE' ? 10 * (options.maxEmbeddingBatch ?? 1000) : 1) + inputs;
    }
    if (key === 'Cohort.imputationQuality') {
      const samples = argValue(field, 'samples');
      return (
        MODEL_FIELD_COST['Sample.restoredValues']! * (typeof samples === 'number' ? Math.max(samples, 1) : 50)
      );
    }
    const weight = MODEL_FIELD_COST[key];
    return inputs + (weight === undefined ? 1 : weight * list.size);
  };
  const fieldDef = (typeName: string, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (name === '__schema' || name === '__type')
      return typeName === schema.getQueryType()?.name
        ? ((name === '__schema' ? SchemaMetaFieldDef : TypeMetaFieldDef) as GraphQLField<unknown, unknown>)
        : undefined;
    const type = schema.getType(typeName);
    return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
  };
  const costOf = (set: SelectionSetNode, typeName: string, multiplier: number, seen: Set<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === '__typename') continue;
        const def = fieldDef(typeName, sel.name.value);
        if (!def) continue;
        const list = listSize(sel, def, typeName);
        total += multiplier * fieldCost(sel, def, typeName, list);
        if (sel.selectionSet)
          total += costOf(sel.selectionSet, getNamedType(def.type).name, multiplier * list.size, seen);
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
  return Math.ceil(costOf(operation.selectionSet, root.name, 1, new Set()));
}

/** BAD request when the operation's estimated cost exceeds `maxCost`. */
export function checkCost(cost: number, maxCost: number): void {
  if (cost > maxCost)
    throw tooComplex(
      `the operation's estimated cost is ${cost}; at most ${maxCost} is allowed (ask for smaller pages)`,
    );
}
