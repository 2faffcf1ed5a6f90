/**
 * Characters that must not reach a terminal raw from user text (names,
 * values, keys, file names, trace fields): C0 controls (ESC starts colour,
 * cursor and OSC title/hyperlink sequences; newlines forge lines), DEL, C1
 * controls (CSI and OSC have one-character forms), the bidi overrides and
 * isolates that reorder what is shown, and the Unicode line separators.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * User text made safe to print: every character above is written as an
 * escape (`\n`, `\x1b`, `\u202e`), everything else as is. Used wherever
 * user text reaches the terminal (and in the comment lines of written
 * scenario files); JSON output needs none of it. Backslashes are kept as
 * they are, so file paths read normally. Lives in util/ so every layer can
 * use the one definition; src/trace/format.ts re-exports it for the views.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => NAMED_ESCAPES[char] ?? escapeCode(char.charCodeAt(0)));
}

/** Text of several lines (such as another library's error message): each line printable, the line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
