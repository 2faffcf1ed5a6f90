import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatPath, type PathSegment } from '../scenario/problems.js';
import type { Scenario } from '../scenario/scenario.js';
import { closestMatch } from '../scenario/suggest.js';
import { isProtocolDefinition, type AnyProtocolDefinition } from './protocol-definition.js';
import { builtInProtocolNames, protocolNamed, registeredProtocols, registerProtocol } from './registry.js';

/**
 * Loading a user protocol (README, "Write your own protocol"): a scenario's
 * `protocol:` (or `--protocol`) names a module, a path relative to the
 * scenario file or an npm package resolved from there; its default export is
 * a definition. Loading happens once, before any run, and is synchronous
 * (Node's require of an ES module), so runs stay synchronous and fuzz
 * workers load the same module the same way. Every problem is one line.
 */

export type ProtocolLoad = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly string[] };

/** Where a protocol module was named: the scenario file, or the `--protocol` flag. */
export interface ProtocolSource {
  /** The module specifier or protocol name. */
  readonly spec: string;
  /** What error lines start with: `scenarios/x.yaml: protocol` or `--protocol`. */
  readonly label: string;
  /** The directory a relative path is resolved from. */
  readonly baseDir: string;
}

/**
 * The scenario with its protocol resolved: a built-in as it is; a module
 * loaded, registered under its definition's name, its `config` parsed.
 * `override` is `--protocol`, resolved from the working directory.
 */
export function resolveScenarioProtocol(scenario: Scenario, scenarioFile: string, override?: string): ProtocolLoad {
  const source: ProtocolSource = override === undefined
    ? { spec: scenario.protocol, label: `${scenarioFile}: protocol`, baseDir: dirname(resolve(scenarioFile)) }
    : { spec: override, label: '--protocol', baseDir: process.cwd() };
  const loaded = protocolFor(source);
  if (!loaded.ok) return { ok: false, errors: [loaded.error] };
  const unjudged = [...unjudgedExpectations(scenario, loaded.definition, scenarioFile), ...unknownExpectedChecker(scenario, loaded.definition, loaded.module, scenarioFile)];
  if (unjudged.length > 0) return { ok: false, errors: unjudged };
  return scenarioWithProtocol(scenario, loaded.definition, loaded.module, scenarioFile);
}

/**
 * `expect.explore.violation` naming a checker the protocol does not have (a
 * typo) could never be met. The list is complete for the built-ins and the
 * simple form; a low-level definition's `checkerNames` may not be.
 */
function unknownExpectedChecker(scenario: Scenario, definition: AnyProtocolDefinition, module: string | null, where: string): string[] {
  const wanted = scenario.expect.explore?.violation;
  if (wanted === undefined || wanted === 'none' || wanted === 'any') return [];
  if (module !== null && definition.scenarioShape.userProtocol !== true) return [];
  const names = definition.checkerNames;
  if (names.includes(wanted)) return [];
  const guess = closestMatch(wanted, names);
  return [`${where}: expect.explore.violation: protocol ${definition.name} has no checker "${wanted}"${guess === undefined ? '' : ` (did you mean ${guess}?)`}; use none, any or one of: ${names.join(', ')}`];
}

/**
 * A scenario's `expect` keys that none of a user protocol's checkers judges:
 * without a single-decree `chosen` value, `chosen: none` would always hold;
 * without a liveness checker, `liveness` would be a vacuous ✓. Each is bad
 * input, as `expect.chosen` is for Multi-Paxos.
 */
function unjudgedExpectations(scenario: Scenario, definition: AnyProtocolDefinition, where: string): string[] {
  if (definition.scenarioShape.userProtocol !== true) return [];
  const has = (checker: string) => definition.checkerNames.includes(checker);
  const problems: string[] = [];
  if (scenario.expect.chosen !== undefined && !has('agreement')) {
    problems.push(`${where}: expect.chosen: protocol ${definition.name} reports no chosen value (only the checker family single-decree does); use safety and liveness`);
  }
  if (scenario.expect.liveness !== undefined && !has('liveness') && !has('client-liveness')) {
    problems.push(`${where}: expect.liveness: protocol ${definition.name} has no liveness checker (the checker families single-decree and clients have one), so nothing would judge it`);
  } else if (scenario.expect.liveness !== undefined && !has('liveness') && scenario.clients.length === 0) {
    problems.push(`${where}: expect.liveness: protocol ${definition.name}'s liveness checker (client-liveness) judges paxsim's clients, and the scenario declares none`);
  }
  return problems;
}

/**
 * The scenario as `definition` runs it: named by the definition, its `config`
 * parsed by the definition's schema (each problem names `where`, then the
 * config path), and the module it came from (null: a built-in).
 */
export function scenarioWithProtocol(scenario: Scenario, definition: AnyProtocolDefinition, module: string | null, where: string): ProtocolLoad {
  if (scenario.clients.length > 0 && !definition.takesClients) {
    return { ok: false, errors: [`${where}: clients: protocol ${definition.name} takes no clients (its definition has no \`clients\` hook)`] };
  }
  const fromModule = module === null ? {} : { protocolModule: module };
  if (definition.config === undefined) {
    if (scenario.config !== undefined) return { ok: false, errors: [`${where}: config: protocol ${definition.name} takes no config`] };
    return { ok: true, scenario: { ...scenario, protocol: definition.name, ...fromModule } };
  }
  const parsed = definition.config.safeParse(scenario.config);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${where}: ${formatPath(['config', ...(issue.path as PathSegment[])])}: ${issue.message}`) };
  }
  return { ok: true, scenario: { ...scenario, protocol: definition.name, config: parsed.data, ...fromModule } };
}

type Found = { ok: true; definition: AnyProtocolDefinition; module: string | null } | { ok: false; error: string };

/** A registered protocol by name, or else a module loaded and registered. */
export function protocolFor(source: ProtocolSource): Found {
  // A registered name: a built-in, or a user protocol loaded earlier in this process (which keeps its module, so workers and files name it).
  const registered = looksLikePath(source.spec) ? undefined : registeredProtocols().find((entry) => entry.definition.name === source.spec);
  if (registered !== undefined) return { ok: true, definition: registered.definition, module: registered.module };
  const path = resolveModule(source);
  if (!path.ok) return path;
  return loadProtocolModule(path.path, source.label);
}

/** Loads the module at an absolute path (fuzz workers: what the scenario's protocolModule names). */
export function loadProtocolModule(path: string, label: string): Found {
  let exports: unknown;
  try {
    exports = createRequire(import.meta.url)(path);
  } catch (error) {
    return { ok: false, error: `${label}: ${path}: cannot load: ${loadFailure(error)}` };
  }
  const definition = defaultExport(exports);
  if (definition === undefined) return { ok: false, error: `${label}: ${path}: has no default export (export default defineProtocol({...}))` };
  if (!isProtocolDefinition(definition)) return { ok: false, error: `${label}: ${path}: the default export is not a protocol definition (build it with defineProtocol from paxsim)` };
  const registered = registerProtocol(definition, path);
  if (!registered.ok) return { ok: false, error: `${label}: ${path}: ${registered.error}` };
  return { ok: true, definition, module: path };
}

/** Makes sure a scenario's user protocol is registered in this thread (a fuzz worker starts with the built-ins only). */
export function ensureProtocolLoaded(scenario: Scenario): void {
  if (scenario.protocolModule === undefined || protocolNamed(scenario.protocol) !== undefined) return;
  const loaded = loadProtocolModule(scenario.protocolModule, 'protocol');
  if (!loaded.ok) throw new Error(loaded.error);
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(c|m)?js$/.test(spec);
}

function resolveModule(source: ProtocolSource): { ok: true; path: string } | { ok: false; error: string } {
  const spec = looksLikePath(source.spec) && !isAbsolute(source.spec) && !source.spec.startsWith('.') ? `./${source.spec}` : source.spec;
  try {
    return { ok: true, path: createRequire(join(source.baseDir, 'noop.js')).resolve(spec) };
  } catch {
    const names = builtInProtocolNames();
    const guess = closestMatch(source.spec, names);
    const what = looksLikePath(source.spec)
      ? `no module at ${resolve(source.baseDir, source.spec)}`
      : `"${source.spec}" is neither a built-in protocol (${names.join(', ')}) nor an installed package${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
    return { ok: false, error: `${source.label}: ${what}` };
  }
}

function defaultExport(exports: unknown): unknown {
  if (typeof exports !== 'object' || exports === null) return undefined;
  if (isProtocolDefinition(exports)) return exports; // module.exports = defineProtocol(...)
  return (exports as { default?: unknown }).default;
}

function loadFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_REQUIRE_ASYNC_MODULE') return 'it uses top-level await; a protocol module must load synchronously';
  if (code === 'ERR_REQUIRE_ESM') return 'this Node.js cannot load an ES module synchronously; use Node.js 20.19 or later';
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * What a trace's meta line calls a protocol module: its package name when it
 * was installed (`node_modules/@scope/name/...`), else its file name. Never a
 * path: a trace reads the same wherever it was written, and is checked
 * elsewhere with `--protocol PATH`.
 */
export function protocolModuleName(modulePath: string): string {
  const parts = modulePath.split(sep);
  const installed = parts.lastIndexOf('node_modules');
  if (installed >= 0 && installed + 1 < parts.length - 1) {
    const scoped = parts[installed + 1]!.startsWith('@') && installed + 2 < parts.length - 1;
    return scoped ? `${parts[installed + 1]}/${parts[installed + 2]}` : parts[installed + 1]!;
  }
  return basename(modulePath);
}

/**
 * How a scenario file at `directory` names the module at `modulePath`, so it
 * loads it again after the directory moved with its project or was copied
 * elsewhere: an installed package by its name when that name resolves to the
 * same module from there, else the path relative to the directory (`./`,
 * `../`, with forward slashes, as a scenario's `protocol:` is read).
 */
export function portableProtocolReference(modulePath: string, directory: string): string {
  const packageName = protocolModuleName(modulePath);
  if (packageName !== basename(modulePath) && resolvesTo(packageName, directory) === modulePath) return packageName;
  const path = relative(directory, modulePath).split(sep).join('/');
  if (isAbsolute(path)) return modulePath; // another drive: no relative path exists
  return path.startsWith('../') ? path : `./${path}`;
}

function resolvesTo(spec: string, directory: string): string | null {
  try {
    return createRequire(join(directory, 'noop.js')).resolve(spec);
  } catch {
    return null;
  }
}
