import type { ReturnField } from './fields.ts';
import type { Layout } from './layout.ts';

type Note = [column: string, whatToWrite: string, example: string];

const VALUE_NOTE =
  "The pupil's Next Steps point, from NX1 to NX13, or the school's own grade exactly as the " +
  'school records it. Leave it blank where the pupil was not assessed.';

const FIELD_NOTES: Record<ReturnField, [string, string]> = {
  upn: [
    "The pupil's 13-character unique pupil number, copied from the school's MIS.",
    'H801200001001',
  ],
  surname: ["The pupil's legal surname.", 'Okafor'],
  forename: ["The pupil's legal forename.", 'Amara'],
  dateOfBirth: ['The date of birth, as dd/mm/yyyy (day first).', '14/03/2016'],
  yearGroup: ['The national curriculum year, as the school writes it: R, or 1 to 6.', '4'],
  sex: ['M or F.', 'F'],
  senStatus: ['N (no special educational need), K (SEN support) or E (EHC plan).', 'K'],
  disadvantaged: ['Y if the pupil is disadvantaged (eligible for pupil premium), N if not.', 'N'],
  eal: ['Y if English is an additional language for the pupil, N if not.', 'Y'],
  assessmentDate: ['The date the judgement was made, as dd/mm/yyyy.', '05/12/2025'],
  period: ['The collection: autumn, spring or summer, and the year.', 'Autumn 2025'],
  subject: ['', 'Reading'],
  value: [VALUE_NOTE, 'NX7'],
};

/** One note per column of the template, after a few lines on the sheet as a whole. */
export function templateNotes(
  columns: readonly { header: string; field: ReturnField | null }[],
  layout: Layout,
  subjects: readonly { name: string }[],
): Note[] {
  const names = subjects.map((subject) => subject.name).join(', ');
  const general: Note[] = [
    ['The sheet', layoutNote(layout), ''],
    ['', 'Keep the header row; columns may be in any order, and any others are not read.', ''],
  ];
  return [...general, ...columns.map((column) => columnNote(column, names))];
}

function layoutNote(layout: Layout): string {
  return layout === 'wide'
    ? 'One row per pupil, with a column for each subject.'
    : 'One row per pupil and subject: a pupil assessed in three subjects has three rows.';
}

function columnNote(column: { header: string; field: ReturnField | null }, names: string): Note {
  if (column.field === null) return [column.header, VALUE_NOTE, 'NX7'];
  if (column.field === 'subject') return [column.header, `One of: ${names}.`, 'Reading'];
  const [whatToWrite, example] = FIELD_NOTES[column.field];
  return [column.header, whatToWrite, example];
}
