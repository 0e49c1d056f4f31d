// Clean input: every string an operation passes (arguments, input-object fields, list elements, JSON
// values; literals and variables alike) is checked before any resolver runs. Refused, as BAD_USER_INPUT
// naming the argument: NUL characters (PostgreSQL cannot store them), invalid UTF-16 (lone surrogates,
// which no database or file can hold) and strings over their length limit.
// `graphql/index.js`, not `graphql`: the same CommonJS build Apollo Server loads (under Vitest a bare
// `graphql` resolves to the .mjs build, and two copies of graphql refuse each other's schema objects).
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql/index.js';

/** The longest string (in UTF-16 code units, as JavaScript counts) any argument may be, unless listed below. */
export const DEFAULT_MAX_STRING_LENGTH = 1000;

/** Longer or shorter limits by argument or input field name (the innermost name of its path). */
export const MAX_STRING_LENGTH: Readonly<Record<string, number>> = {
  name: 200,
  description: 10_000,
  /** A server-side file path (ingest). */
  path: 4096,
};

function invalidInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a string, or null when it is acceptable under `limit`. */
export function stringProblem(value: string, limit: number): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (it contains a lone UTF-16 surrogate)';
  if (value.length > limit) return `is ${value.length} characters long; at most ${limit} are allowed`;
  return null;
}

const limitFor = (name: string): number => MAX_STRING_LENGTH[name] ?? DEFAULT_MAX_STRING_LENGTH;

/** Checks every string in an already-parsed value (a variable's); `name` is the innermost key of `path`. */
function checkValue(value: unknown, path: string, name: string, where: string): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value, limitFor(name));
    if (problem) throw invalidInput(`argument "${path}"${where} ${problem}`);
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkValue(item, `${path}[${i}]`, name, where);
  } else if (value !== null && typeof value === 'object') {
    // plain objects only (input objects, JSON): not an uploaded file
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return;
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = stringProblem(key, DEFAULT_MAX_STRING_LENGTH);
      if (keyProblem) throw invalidInput(`a field name in argument "${path}"${where} ${keyProblem}`);
      checkValue(item, `${path}.${key}`, key, where);
    }
  }
}

/** Checks every string in a value written in the operation (variables inside it are looked up). */
function checkLiteral(
  node: ValueNode,
  path: string,
  name: string,
  where: string,
  variables: Record<string, unknown>,
  used: Set<string>,
): void {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      checkValue(node.value, path, name, where);
      return;
    case Kind.VARIABLE:
      used.add(node.name.value);
      checkValue(variables[node.name.value], path, name, where);
      return;
    case Kind.LIST:
      for (const [i, item] of node.values.entries())
        checkLiteral(item, `${path}[${i}]`, name, where, variables, used);
      return;
    case Kind.OBJECT:
      for (const field of node.fields)
        checkLiteral(field.value, `${path}.${field.name.value}`, field.name.value, where, variables, used);
      return;
    default:
  }
}

/**
 * Throws BAD_USER_INPUT (HTTP 400) for the first string of the operation's arguments that holds a NUL or a
 * lone surrogate or is over its length limit, naming the argument (e.g. `input.description` of
 * `createCohort`) and the limit.
 */
export function checkOperationInput(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const seen = new Set<string>();
  const used = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      for (const directive of sel.directives ?? [])
        for (const arg of directive.arguments ?? [])
          checkLiteral(
            arg.value,
            arg.name.value,
            arg.name.value,
            ` of @${directive.name.value}`,
            variables,
            used,
          );
      if (sel.kind === Kind.FIELD) {
        for (const arg of sel.arguments ?? [])
          checkLiteral(arg.value, arg.name.value, arg.name.value, ` of ${sel.name.value}`, variables, used);
        if (sel.selectionSet) walk(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet);
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const fragment = fragments.get(sel.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  // variables no argument uses are checked too, by their own names
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (!used.has(name) && name in variables) checkValue(variables[name], `$${name}`, name, '');
  }
}
