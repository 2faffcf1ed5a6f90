/** A count with its noun in the right number: `1 slot`, `0 slots`, `2 slots`; `plural(n, 'policy', 'policies')`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
