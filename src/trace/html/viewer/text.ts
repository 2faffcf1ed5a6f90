import { cssIdent } from '../page-data.js';

/** Text for SVG and HTML markup: the page builds its drawing as strings, so every user string goes through {@link esc}. */
export function esc(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A string usable inside a class name, as the writer makes them (`t-<type>` on the filters). */
export function ident(value: unknown): string {
  return cssIdent(String(value));
}

/** A coordinate with one decimal: enough for SVG, and the markup stays short. */
export function n1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** `(10,A)`; anything else as its string. */
export function ballot(value: unknown): string {
  return Array.isArray(value) ? '(' + String(value[0]) + ',' + String(value[1]) + ')' : String(value);
}

export function json(value: unknown): string {
  return value === undefined ? '?' : JSON.stringify(value);
}

/** Indented JSON, but a ballot stays on one line: [10, "A"]. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*([^[\]{}]*?)\s*\]/g, (_all, inner: string) => '[' + inner.split(/,\s*/).join(', ') + ']');
}

/** An object's own fields as a record (JSON parses only plain objects, so this is a cast with a check). */
export function fieldsOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
