// Types of scripts/build-viewer.mjs, for the tests that import it.
export type ViewerBuild = { ok: true; script: string } | { ok: false; errors: string[] };
export function compileViewer(options?: { root?: string; overrides?: Record<string, string> }): ViewerBuild;
export function buildViewer(root?: string): ViewerBuild;
export function generatedModule(script: string): string;
