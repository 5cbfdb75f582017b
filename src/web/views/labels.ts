/** Words for the codes the data model stores. */

export const PHASES: Record<string, string> = {
  primary: 'Primary',
  secondary: 'Secondary',
  all_through: 'All-through',
  special: 'Special',
  alternative_provision: 'Alternative provision',
};

export const SETTINGS: Record<string, string> = {
  mainstream: 'Mainstream',
  specialist: 'Specialist',
};

export function phaseLabel(phase: string, setting: string): string {
  const name = PHASES[phase] ?? phase;
  return setting === 'specialist' && phase !== 'special' ? `${name}, specialist` : name;
}

/** "Autumn 2026/27" as "Aut 26/27", for a chart's axis. */
export function shortCollection(label: string): string {
  const [term, year] = label.split(' ');
  if (!term || !year) return label;
  const short = year.replace(/^20(\d\d)\/(\d\d)$/, '$1/$2');
  return `${term.slice(0, 3)} ${short}`;
}
