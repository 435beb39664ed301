import { readFileSync } from 'node:fs';

/**
 * Checks report.json against docs/report-schema.json with a small JSON Schema (draft 2020-12)
 * validator for the keywords that schema uses: type, required, properties,
 * additionalProperties, items, enum, const, minimum, maximum, oneOf, anyOf and local `$ref`s
 * into `$defs`. Annotations (title, description, format, ...) are ignored; any other keyword
 * is an error in the schema, not silently skipped.
 */

export type JsonSchema = boolean | Readonly<Record<string, unknown>>;

const schemaFile = new URL('../../docs/report-schema.json', import.meta.url);
let reportSchemaCache: JsonSchema | undefined;

/** The schema of report.json (docs/report-schema.json), read once. */
export function reportSchema(): JsonSchema {
  reportSchemaCache ??= JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchema;
  return reportSchemaCache;
}

/** Lists where a parsed report.json departs from the schema; empty when it conforms. */
export function validateReportJson(value: unknown): string[] {
  return validateJsonSchema(value, reportSchema());
}

const annotations = new Set(['$schema', '$id', '$comment', '$defs', 'title', 'description', 'format', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
const assertions = new Set(['type', 'required', 'properties', 'additionalProperties', 'items', 'enum', 'const', 'minimum', 'maximum', 'oneOf', 'anyOf', '$ref']);

type SchemaObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`JSON schema: unknown type "${type}"`);
  }
}

function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => jsonEqual(item, right[index]));
  }
  if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => key in right && jsonEqual(left[key], right[key]));
  }
  return false;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]{}\\]/g, '\\$&');
}

function resolveRef(root: JsonSchema, reference: string): JsonSchema {
  if (!reference.startsWith('#')) throw new Error(`JSON schema: only local $refs are supported, not ${reference}`);
  let target: unknown = root;
  for (const raw of reference.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[part] : undefined;
  }
  if (typeof target !== 'boolean' && !isObject(target)) throw new Error(`JSON schema: $ref ${reference} points nowhere`);
  return target as JsonSchema;
}

/** Validates `value` against `schema` (the subset described above); returns problems as `$.path: message`. */
export function validateJsonSchema(value: unknown, schema: JsonSchema): string[] {
  const problems: string[] = [];
  check(value, schema, schema, '$', problems);
  return problems;
}

function check(value: unknown, schema: JsonSchema, root: JsonSchema, path: string, problems: string[]): void {
  if (schema === true) return;
  if (schema === false) {
    problems.push(`${path}: no value is allowed here`);
    return;
  }
  const rules = schema as SchemaObject;
  for (const keyword of Object.keys(rules)) {
    if (!annotations.has(keyword) && !assertions.has(keyword)) throw new Error(`JSON schema: keyword "${keyword}" is not supported by this validator`);
  }

  if (typeof rules.$ref === 'string') check(value, resolveRef(root, rules.$ref), root, path, problems);

  if (rules.type !== undefined) {
    const types = Array.isArray(rules.type) ? (rules.type as string[]) : [rules.type as string];
    if (!types.some((type) => hasType(value, type))) {
      problems.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}${typeof value === 'number' && !Number.isFinite(value) ? ` (${value})` : ''}`);
      return;
    }
  }
  if ('const' in rules && !jsonEqual(value, rules.const)) problems.push(`${path}: must be ${show(rules.const)}, not ${show(value)}`);
  if (Array.isArray(rules.enum) && !rules.enum.some((option) => jsonEqual(value, option))) {
    problems.push(`${path}: must be one of ${rules.enum.map(show).join(', ')}, not ${show(value)}`);
  }
  if (typeof value === 'number') {
    if (typeof rules.minimum === 'number' && value < rules.minimum) problems.push(`${path}: must be at least ${rules.minimum}, not ${value}`);
    if (typeof rules.maximum === 'number' && value > rules.maximum) problems.push(`${path}: must be at most ${rules.maximum}, not ${value}`);
  }

  if (isObject(value)) {
    const properties = isObject(rules.properties) ? (rules.properties as Record<string, JsonSchema>) : {};
    if (Array.isArray(rules.required)) {
      for (const key of rules.required as string[]) if (!(key in value)) problems.push(`${path}: "${key}" is required`);
    }
    for (const [key, item] of Object.entries(value)) {
      const where = childPath(path, key);
      if (Object.hasOwn(properties, key)) check(item, properties[key] as JsonSchema, root, where, problems);
      else if (rules.additionalProperties === false) problems.push(`${path}: "${key}" is not an allowed field`);
      else if (rules.additionalProperties !== undefined) check(item, rules.additionalProperties as JsonSchema, root, where, problems);
    }
  }

  if (Array.isArray(value) && rules.items !== undefined) {
    value.forEach((item, index) => check(item, rules.items as JsonSchema, root, `${path}[${index}]`, problems));
  }

  const branches = (keyword: 'oneOf' | 'anyOf') => {
    const list = rules[keyword];
    if (!Array.isArray(list)) return;
    const results = (list as JsonSchema[]).map((branch) => {
      const found: string[] = [];
      check(value, branch, root, path, found);
      return found;
    });
    const matches = results.filter((found) => found.length === 0).length;
    if (keyword === 'oneOf' && matches > 1) problems.push(`${path}: matches ${matches} alternatives of oneOf, not exactly one`);
    if (matches > 0) return;
    // Report the alternative that came closest: usually the one whose tag (`type`, `kind`) matched.
    const tag = new RegExp(`^${escapeRegExp(path)}\\.[A-Za-z_$][\\w$]*: must be (?!one of)`);
    const tagMismatch = (found: string[]) => found.some((problem) => tag.test(problem));
    const distance = (found: string[]) => (tagMismatch(found) ? 1000 : 0) + found.length;
    const closest = results.reduce((best, found) => (distance(found) < distance(best) ? found : best));
    problems.push(`${path}: matches none of the ${results.length} alternatives; the closest fails with:`, ...closest.map((problem) => `  ${problem}`));
  };
  branches('oneOf');
  branches('anyOf');
}
