import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { LineCounter, parseDocument, isCollection, isMap, isPair, isScalar, type Document, type YAMLError } from 'yaml';
import { z } from 'zod';
import { FAULT_KINDS, scenarioSchema, type ParsedScenario } from './schema.js';
import { closestMatch } from './suggest.js';
import { normalizeScenario } from './normalize.js';
import { formatProblem, type LoadResult, type PathSegment, type SourceLocator } from './problems.js';
import { LIMITS } from './limits.js';

export function loadScenarioFile(file: string): LoadResult {
  const text = readScenarioText(file);
  return typeof text === 'string' ? parseScenarioText(text, file) : text;
}

/**
 * The file's text, reading at most one byte past the size limit: a huge file,
 * a device or a stream is never read whole. Only regular files are read; the
 * open does not block, so a FIFO without a writer cannot hang the run.
 */
function readScenarioText(file: string): string | LoadResult {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = fstatSync(descriptor);
    if (stats.isDirectory()) return failure(`${file}: is a directory, not a scenario file`);
    if (!stats.isFile()) return failure(`${file}: is ${fileKind(stats)}, not a regular file; scenario files are read from regular files only`);
    const buffer = Buffer.alloc(LIMITS.scenarioBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(descriptor, buffer, length, buffer.length - length, null);
    }
    if (length > LIMITS.scenarioBytes) return tooLarge(file);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read file (${code ?? String(error)})`);
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function tooLarge(file: string): LoadResult {
  return failure(`${file}: is larger than ${LIMITS.scenarioBytes} bytes (1 MiB), the limit for a scenario file`);
}

function fileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function parseScenarioText(text: string, file: string): LoadResult {
  if (Buffer.byteLength(text) > LIMITS.scenarioBytes) return tooLarge(file);
  if (text.replace(/#.*$/gm, '').trim() === '') {
    return failure(`${file}: file is empty; a scenario needs at least \`name\` and \`nodes\``);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const where = (error: YAMLError) => (error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '');
    // The yaml parser recurses per level and reports its own stack overflow as an error (once per open level).
    const overflow = document.errors.find((error) => /Maximum call stack size exceeded/.test(error.message));
    if (overflow !== undefined) return failure(`${file}${where(overflow)}: ${tooDeepMessage()}`);
    return limitProblems(
      file,
      document.errors.map((error) => `${file}${where(error)}: syntax error: ${firstLine(error.message)}`),
    );
  }
  const deepOffset = offsetTooDeep(document);
  if (deepOffset !== undefined) return failure(`${file}:${lineCounter.linePos(deepOffset).line}: ${tooDeepMessage()}`);
  const content = documentValue(document, file);
  if (!content.ok) return content;
  const locator: SourceLocator = { file, lineOf: (path) => lineOfPath(document, lineCounter, path) };
  return validateScenario(content.value, locator);
}

function tooDeepMessage(): string {
  return `nesting too deep: lists and mappings nest at most ${LIMITS.nestingDepth} levels in a scenario file`;
}

/** Where the first collection nested deeper than the limit starts, walking without recursion. */
function offsetTooDeep(document: Document): number | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: document.contents, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (!isCollection(node)) continue;
    if (depth > LIMITS.nestingDepth) return node.range?.[0] ?? 0;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      else pending.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The document as plain data; an alias bomb (aliases expanding to exponential size) is the user's input to fix. */
function documentValue(document: Document, file: string): { ok: true; value: unknown } | { ok: false; errors: readonly string[] } {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: LIMITS.yamlAliases }) };
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return { ok: false, errors: [`${file}: too many YAML alias expansions (at most ${LIMITS.yamlAliases}): ${error.message}`] };
    }
    throw error;
  }
}

/** Validate an already-parsed object (YAML, JSON, or built in code) and normalize it. */
export function validateScenario(input: unknown, locator: SourceLocator): LoadResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return failure(`${locator.file}: must be a mapping of scenario fields (name, nodes, …)`);
  }
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    return limitProblems(locator.file, parsed.error.issues.flatMap((issue) => describeIssue(issue, input, locator)));
  }
  const normalized = normalizeScenario(parsed.data as ParsedScenario, locator);
  return normalized.ok ? normalized : limitProblems(locator.file, normalized.errors);
}

/** The first problems of a file, and a count of the rest: a file of a thousand bad entries does not print a thousand lines. */
function limitProblems(file: string, errors: readonly string[]): LoadResult {
  if (errors.length <= LIMITS.problemsShown) return { ok: false, errors };
  const more = errors.length - LIMITS.problemsShown;
  return { ok: false, errors: [...errors.slice(0, LIMITS.problemsShown), `${file}: … and ${more} more problem${more === 1 ? '' : 's'}`] };
}

function describeIssue(issue: z.core.$ZodIssue, input: object, locator: SourceLocator): string[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => formatProblem(locator, [...path, key], unknownKeyMessage(key, path)));
  }
  if (issue.code === 'invalid_type' && valueAt(input, path) === undefined) {
    return [formatProblem(locator, path, 'is required')];
  }
  const branch = issue.code === 'invalid_union' ? shapedBranch(issue.errors) : undefined;
  if (branch !== undefined) return branch.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] }, input, locator));
  return [formatProblem(locator, path, issue.message)];
}

/**
 * The one union branch whose shape the value has (an object for `{count, ops}`,
 * a list for `[{id, ops}]`), so its precise problems (`clients[0].ops: must
 * list at most …`) are reported instead of the union's summary.
 */
function shapedBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const shaped = branches.filter((issues) => !issues.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  return shaped.length === 1 ? shaped[0] : undefined;
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
