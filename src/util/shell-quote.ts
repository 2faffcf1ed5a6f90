/**
 * Printed commands (replay lines, `found by`, JUnit, failure-file headers)
 * must paste into a POSIX shell as they are: a word with anything but plain
 * path characters goes in single quotes, an embedded quote as '\''.
 */
export function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line, each word quoted as needed: `shellCommand(['paxsim', 'run', file])`. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
