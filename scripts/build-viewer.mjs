#!/usr/bin/env node
// Compiles the HTML diagram's browser code (src/trace/html/viewer/, type-checked
// with tsconfig.viewer.json: strict, DOM, no Node) and writes it as one script
// for the page writer to inline: src/trace/html/viewer-script.generated.ts
// (gitignored; `npm run build` and `npm run typecheck` run this first).
//
//   node scripts/build-viewer.mjs          compile, bundle, write; exit 1 on a type error
//
// The bundle is a few lines of loader around tsc's CommonJS output: every
// module is a function keyed by its path under src/, and its require() calls
// are resolved here, at build time, so a missing or outside module (the
// viewer takes no dependencies) fails the build, not the page.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'trace/html/viewer/main';
const OUTPUT = 'src/trace/html/viewer-script.generated.ts';

/**
 * Type-checks and compiles the viewer; `overrides` replaces the text of source
 * files (absolute path → text), so a test can plant a type error without
 * touching the tree. Returns the bundled script, or every problem as one line.
 * @param {{ root?: string, overrides?: Record<string, string> }} [options]
 * @returns {{ ok: true, script: string } | { ok: false, errors: string[] }}
 */
export function compileViewer(options = {}) {
  const root = options.root ?? ROOT;
  const overrides = new Map(Object.entries(options.overrides ?? {}).map(([file, text]) => [resolve(file), text]));
  const configFile = join(root, 'tsconfig.viewer.json');
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: false }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) return { ok: false, errors: [`${relative(root, configFile)}: cannot read`] };
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => overrides.get(resolve(file)) ?? readFile(file);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
  if (diagnostics.length > 0) return { ok: false, errors: diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, root)) };
  /** Module id (path under src/, no extension) → compiled CommonJS text. */
  const emitted = new Map();
  const srcDir = join(root, 'src');
  const result = program.emit(undefined, (file, text) => {
    if (file.endsWith('.js')) emitted.set(relative(config.options.outDir ?? srcDir, file).split('\\').join('/').replace(/\.js$/, ''), text);
  });
  if (result.emitSkipped) return { ok: false, errors: ['tsc skipped the emit'] };
  return bundle(emitted);
}

/** @param {ts.Diagnostic} diagnostic @param {string} root */
function formatDiagnostic(diagnostic, root) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1}: error TS${diagnostic.code}: ${message}`;
}

/**
 * The modules reachable from the entry, each wrapped in a function, and a loader.
 * @param {Map<string, string>} emitted
 * @returns {{ ok: true, script: string } | { ok: false, errors: string[] }}
 */
function bundle(emitted) {
  const errors = [];
  /** @type {Map<string, Record<string, string>>} id → its require() specifiers resolved to ids */
  const reached = new Map();
  const queue = [ENTRY];
  while (queue.length > 0) {
    const id = queue.shift();
    if (reached.has(id)) continue;
    const text = emitted.get(id);
    if (text === undefined) {
      errors.push(`viewer bundle: no compiled module ${id}`);
      continue;
    }
    /** @type {Record<string, string>} */
    const requires = {};
    for (const [, specifier] of text.matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (!specifier.startsWith('.')) {
        errors.push(`viewer bundle: ${id} requires "${specifier}": the viewer takes no dependencies`);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(id), specifier)).replace(/\.js$/, '');
      requires[specifier] = target;
      queue.push(target);
    }
    reached.set(id, requires);
  }
  if (errors.length > 0) return { ok: false, errors };
  const ids = [...reached.keys()].sort();
  const modules = ids.map((id) => `${JSON.stringify(id)}: [function (exports, require) {\n${unindented(emitted.get(id))}}, ${JSON.stringify(reached.get(id))}]`);
  const script = `(function () {
'use strict';
var modules = {
${modules.join(',\n')}
};
var loaded = {};
function load(id) {
  if (loaded[id]) return loaded[id];
  var exports = loaded[id] = {};
  var requires = modules[id][1];
  modules[id][0](exports, function (specifier) { return load(requires[specifier]); });
  return exports;
}
load(${JSON.stringify(ENTRY)});
})();
`;
  // The script is inlined in a <script> element: nothing in it may end or confuse that element.
  if (/<\/script|<!--/i.test(script)) return { ok: false, errors: ['viewer bundle: contains "</script" or "<!--", which would break the inline <script>'] };
  return { ok: true, script };
}

/**
 * tsc's output without its indentation: every page carries the script, and a
 * third of it was spaces. Only where no template literal could span lines (a
 * module with no backtick), since there the spaces are part of a string.
 * @param {string} text
 */
function unindented(text) {
  return text.includes('`') ? text : text.replace(/^[ \t]+/gm, '');
}

/** The generated module the page writer imports. */
export function generatedModule(script) {
  return `// Generated by scripts/build-viewer.mjs from src/trace/html/viewer/ (tsconfig.viewer.json). Do not edit; not committed.
/** The diagram page's script: the compiled viewer, inlined into every page by src/trace/html.ts. */
export const VIEWER_SCRIPT: string = ${JSON.stringify(script)};
`;
}

/** Compiles and writes {@link OUTPUT} (only when its text changes, so an unchanged viewer leaves it untouched). */
export function buildViewer(root = ROOT) {
  const compiled = compileViewer({ root });
  if (!compiled.ok) return compiled;
  const file = join(root, OUTPUT);
  const text = generatedModule(compiled.script);
  let previous = null;
  try {
    previous = readFileSync(file, 'utf8');
  } catch {
    previous = null;
  }
  if (previous !== text) writeFileSync(file, text);
  return compiled;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = buildViewer();
  if (!built.ok) {
    for (const line of built.errors) console.error(line);
    console.error(`build-viewer: ${built.errors.length} problem${built.errors.length === 1 ? '' : 's'} in the HTML viewer (src/trace/html/viewer/)`);
    process.exit(1);
  }
}
