import { fieldsOf, json } from './text.js';

/**
 * The published state-machine and client vocabulary (`apply {slot, command,
 * result}`, `invoke`/`complete`/`timeout {client, requestId, op}`) as text.
 * A command is `{client, requestId, op}` or `{noop: true}`; an op is the
 * key-value store's `{kind, key, value?, expected?}`.
 */

/** "put x", "get x", "cas x": what an arrow label has room for. */
export function opShort(op: unknown): string {
  const fields = fieldsOf(op);
  return fields && fields['kind'] ? String(fields['kind']) + ' ' + String(fields['key']) : '?';
}

/** 'put x="c1.2"', 'get x', 'cas x absent→"c1.3"': for marks and hover text. */
export function opLong(op: unknown): string {
  const fields = fieldsOf(op);
  if (!fields || !fields['kind']) return '?';
  const kind = String(fields['kind']);
  const key = String(fields['key']);
  if (kind === 'put') return 'put ' + key + '=' + json(fields['value']);
  if (kind === 'cas') return 'cas ' + key + ' ' + (fields['expected'] === null ? 'absent' : json(fields['expected'])) + '\u2192' + json(fields['value']);
  return kind + ' ' + key;
}

export function command(value: unknown, long: boolean): string {
  const c = fieldsOf(value);
  if (!c) return '?';
  if (c['noop']) return 'no-op';
  return String(c['client']) + '#' + String(c['requestId']) + ' ' + (long ? opLong(c['op']) : opShort(c['op']));
}
