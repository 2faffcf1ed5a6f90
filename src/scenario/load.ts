import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from 'yaml';
import { z } from 'zod';
import { FAULT_KINDS, scenarioSchema, type ParsedScenario } from './schema.js';
import { closestMatch } from './suggest.js';
import { normalizeScenario } from './normalize.js';
import { formatProblem, type LoadResult, type PathSegment, type SourceLocator } from './problems.js';

export function loadScenarioFile(file: string): LoadResult {
  let text: string;
  try {
    if (statSync(file).isDirectory()) return failure(`${file}: is a directory, not a scenario file`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read file (${code ?? String(error)})`);
  }
  return parseScenarioText(text, file);
}

export function parseScenarioText(text: string, file: string): LoadResult {
  if (text.replace(/#.*$/gm, '').trim() === '') {
    return failure(`${file}: file is empty; a scenario needs at least \`name\` and \`nodes\``);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const position = error.linePos?.[0];
        const where = position ? `:${position.line}:${position.col}` : '';
        return `${file}${where}: syntax error: ${firstLine(error.message)}`;
      }),
    };
  }
  const locator: SourceLocator = { file, lineOf: (path) => lineOfPath(document, lineCounter, path) };
  return validateScenario(document.toJS(), locator);
}

/** Validate an already-parsed object (YAML, JSON, or built in code) and normalize it. */
export function validateScenario(input: unknown, locator: SourceLocator): LoadResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return failure(`${locator.file}: must be a mapping of scenario fields (name, nodes, …)`);
  }
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, input, locator)) };
  }
  return normalizeScenario(parsed.data as ParsedScenario, locator);
}

function describeIssue(issue: z.core.$ZodIssue, input: object, locator: SourceLocator): string[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => formatProblem(locator, [...path, key], unknownKeyMessage(key, path)));
  }
  if (issue.code === 'invalid_type' && valueAt(input, path) === undefined) {
    return [formatProblem(locator, path, 'is required')];
  }
  return [formatProblem(locator, path, issue.message)];
}

function unknownKeyMessage(key: string, parentPath: readonly PathSegment[]): string {
  const isFault = parentPath.length === 2 && parentPath[0] === 'faults';
  const allowed = allowedKeysAt(parentPath);
  const suggestion = closestMatch(key, allowed);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  if (isFault) return `unknown fault kind "${key}"${hint}; expected one of ${FAULT_KINDS.join(', ')}`;
  return `unknown key "${key}"${hint}; expected one of ${allowed.join(', ')}`;
}

/** The keys the schema allows at a path, for suggestions. */
function allowedKeysAt(path: readonly PathSegment[]): string[] {
  let schemas: z.ZodType[] = [scenarioSchema];
  for (const segment of path) {
    schemas = schemas.flatMap((schema) => childSchemas(unwrap(schema), segment));
  }
  const keys = new Set<string>();
  for (const schema of schemas) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) for (const key of Object.keys(inner.shape)) keys.add(key);
    if (inner instanceof z.ZodUnion) {
      for (const option of inner.options as z.ZodType[]) {
        const optionInner = unwrap(option);
        if (optionInner instanceof z.ZodObject) for (const key of Object.keys(optionInner.shape)) keys.add(key);
      }
    }
  }
  keys.delete('$schema');
  return [...keys];
}

function childSchemas(schema: z.ZodType, segment: PathSegment): z.ZodType[] {
  if (schema instanceof z.ZodObject && typeof segment === 'string') {
    const child = (schema.shape as Record<string, z.ZodType>)[segment];
    return child ? [child] : [];
  }
  if (schema instanceof z.ZodArray && typeof segment === 'number') return [schema.element as z.ZodType];
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap((option) => childSchemas(unwrap(option), segment));
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else return current;
  }
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The line of the value at `path` or, when it is missing, of its nearest present ancestor. */
function lineOfPath(document: Document, lineCounter: LineCounter, path: readonly PathSegment[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const offset = offsetOf(document, prefix, length === path.length);
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return undefined;
}

function offsetOf(document: Document, path: readonly PathSegment[], preferKey: boolean): number | undefined {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent) && typeof last === 'string') {
    const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
    if (pair && isPair(pair)) {
      const node = preferKey ? pair.key : (pair.value ?? pair.key);
      const range = (node as { range?: [number, number, number] } | null)?.range;
      if (range) return range[0];
    }
    return undefined;
  }
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function failure(message: string): LoadResult {
  return { ok: false, errors: [message] };
}
