import { createHash } from 'node:crypto';
import type { SyntheticPupil, SyntheticSchool } from '../school.ts';

/**
 * One school as Wonde holds it: the synthetic school, plus the ids Wonde adds and what has
 * changed since the fake started. Results are not copied: each is read from the synthetic
 * school when a page is built, with only changed values kept aside.
 */

export type Access = 'approved' | 'pending' | 'revoked';

export interface StudentRow {
  seq: number;
  pupil: SyntheticPupil;
  /** Wonde's id: a new one on re-enrolment. */
  wondeId: string;
  /** A hash of MIS id and school: the same across re-enrolment (research 1.4). */
  upi: string;
  misId: string;
  createdAt: number;
  updatedAt: number;
  restoredAt: number | null;
  status: 'on_roll' | 'leaver' | 'deleted';
  leavingDate: string | null;
  senStatus: SyntheticPupil['senStatus'];
}

export interface AspectRow {
  wondeId: string;
  misId: string;
  name: string;
  type: 'GRADE' | 'INTEGER' | 'COMMENT';
  gradeSet: { id: string; name: string } | null;
  updatedAt: number;
}

export interface ResultSetRow {
  wondeId: string;
  misId: string;
  name: string;
}

/** A result as served; built on demand. */
export interface ResultRow {
  seq: number;
  wondeId: string;
  student: StudentRow;
  aspectId: string;
  resultSetId: string;
  value: string;
  date: string;
  updatedAt: number;
}

export interface DeletionRow {
  type: string;
  id: string;
  misId: string;
  deletedAt: number;
  restoredAt: number | null;
}

/** Results no synthetic school has, which a real Wonde school does (research 1.9). */
export interface Extras {
  /** Pupils given a whole-number test score (an INTEGER aspect), which the connector keeps. */
  numericResults?: number;
  /** Pupils given a teacher's comment (a COMMENT aspect), which the connector skips. */
  commentResults?: number;
  /** Results whose aspect is missing from the catalogue, as after a deletion. */
  orphanResults?: number;
}

export interface StoreOptions {
  id: string;
  school: SyntheticSchool;
  access: Access;
  extras: Extras;
  /** When untouched records were last updated. */
  baseTime: number;
}

interface ExtraResult {
  pupilIndex: number;
  aspectId: string;
  resultSetId: string;
  value: string;
  date: string;
  updatedAt: number;
}

const DAY = 86_400_000;
export const MISSING_ASPECT_ID = 'A3399999999';

export class SchoolStore {
  readonly id: string;
  readonly school: SyntheticSchool;
  access: Access;
  readonly students: StudentRow[];
  readonly aspects: AspectRow[];
  readonly resultSets: ResultSetRow[];
  readonly deletions: DeletionRow[] = [];
  readonly templates: { wondeId: string; misId: string; name: string }[];

  private readonly aspectIds = new Map<string, string>();
  private readonly resultSetIds = new Map<string, string>();
  // Per result of the synthetic school: its pupil's position, and its time as a number.
  private readonly resultPupil: Int32Array;
  private readonly resultTime: Float64Array;
  private readonly changed = new Map<number, { value: string; updatedAt: number }>();
  private readonly extras: ExtraResult[] = [];
  private nextStudentId: number;
  private deletedCount = 0;

  constructor(options: StoreOptions) {
    this.id = options.id;
    this.school = options.school;
    this.access = options.access;
    const { school, baseTime } = options;

    this.students = school.pupils.map((pupil, seq) => studentRow(options.id, pupil, seq, baseTime));
    this.nextStudentId = school.pupils.length + 1;
    const positions = new Map(school.pupils.map((pupil, index) => [pupil.id, index]));

    this.aspects = school.aspects.map((aspect, index) => {
      const wondeId = `A33${pad(index + 1, 8)}`;
      this.aspectIds.set(aspect.id, wondeId);
      const gradeSet = { id: `A77${pad(index + 1, 8)}`, name: aspect.gradeSet };
      return {
        wondeId,
        misId: String(1200 + index),
        name: aspect.name,
        type: 'GRADE',
        gradeSet,
        updatedAt: baseTime,
      };
    });
    this.resultSets = [];
    for (const result of school.results) this.resultSetFor(result.periodLabel);
    this.templates = [{ wondeId: 'A4400000001', misId: '1', name: 'Core subjects' }];

    this.resultPupil = new Int32Array(school.results.length);
    this.resultTime = new Float64Array(school.results.length);
    school.results.forEach((result, index) => {
      this.resultPupil[index] = positions.get(result.pupilId) ?? -1;
      this.resultTime[index] = Math.min(Date.parse(result.modifiedAt), baseTime);
    });
    this.addExtras(options.extras, baseTime);
  }

  get resultCount(): number {
    return this.school.results.length + this.extras.length;
  }

  /** True when a result is listed: its pupil is not deleted, and it changed after `after`. */
  resultVisible(seq: number, after: number | null): boolean {
    const student = this.students[this.pupilIndexOf(seq)];
    if (!student || student.status === 'deleted') return false;
    return after === null || this.resultUpdatedAt(seq) > after;
  }

  /** Whether a page may be cut straight from the list, with nothing to skip. */
  get resultsUnfiltered(): boolean {
    return this.deletedCount === 0;
  }

  resultAt(seq: number): ResultRow {
    const base = this.school.results.length;
    if (seq >= base) {
      const extra = this.extras[seq - base]!;
      const student = this.students[extra.pupilIndex]!;
      const { aspectId, resultSetId, value, date, updatedAt } = extra;
      return {
        seq,
        wondeId: resultId(seq),
        student,
        aspectId,
        resultSetId,
        value,
        date,
        updatedAt,
      };
    }
    const result = this.school.results[seq]!;
    const change = this.changed.get(seq);
    return {
      seq,
      wondeId: resultId(seq),
      student: this.students[this.resultPupil[seq]!]!,
      aspectId: this.aspectIds.get(result.aspectId)!,
      resultSetId: this.resultSetIds.get(result.periodLabel)!,
      value: change?.value ?? result.value ?? '',
      date: result.assessedOn,
      updatedAt: change?.updatedAt ?? this.resultTime[seq]!,
    };
  }

  /** Alters `count` results spread through the school and bumps their modified time. */
  changeResults(count: number, now = Date.now()): ResultRow[] {
    const onRoll = (seq: number) => this.students[this.resultPupil[seq]!]?.status === 'on_roll';
    const picked = spread(this.school.results.length, count, onRoll);
    return picked.map((seq) => {
      const current = this.resultAt(seq);
      this.changed.set(seq, { value: otherValue(current.value), updatedAt: now });
      return this.resultAt(seq);
    });
  }

  /** Puts results back to the values they first had, as a teacher undoing a change would. */
  restoreResults(seqs: readonly number[], now = Date.now()): ResultRow[] {
    return seqs.map((seq) => {
      this.changed.set(seq, { value: this.school.results[seq]!.value ?? '', updatedAt: now });
      return this.resultAt(seq);
    });
  }

  /** Moves `count` pupils' SEN status on and bumps their modified time. */
  changePupils(count: number, now = Date.now()): StudentRow[] {
    return this.pickStudents(count).map((student) => {
      student.senStatus = student.senStatus === 'N' ? 'K' : student.senStatus === 'K' ? 'E' : 'N';
      student.updatedAt = now;
      return student;
    });
  }

  /** Removes pupils from Wonde; their results go with them, unlogged (research 1.8). */
  deletePupils(count: number, now = Date.now(), from?: StudentRow[]): StudentRow[] {
    const picked = from ?? this.pickStudents(count);
    for (const student of picked) {
      student.status = 'deleted';
      this.deletedCount += 1;
      this.deletions.push({
        type: 'student',
        id: student.wondeId,
        misId: student.misId,
        deletedAt: now,
        restoredAt: null,
      });
    }
    return picked;
  }

  /** Pupils leave: Wonde moves them to the leavers list and logs the student as removed. */
  leavePupils(count: number, now = Date.now()): StudentRow[] {
    return this.pickStudents(count).map((student) => {
      student.status = 'leaver';
      student.leavingDate = new Date(now).toISOString().slice(0, 10);
      student.updatedAt = now;
      this.deletions.push({
        type: 'student',
        id: student.wondeId,
        misId: student.misId,
        deletedAt: now,
        restoredAt: null,
      });
      return student;
    });
  }

  /**
   * Pupils dis-enrolled and enrolled again: Wonde gives them a new id, keeps the `upi`, and
   * marks the old id's deletion as restored, since the MIS id came back (research 1.4, 1.8).
   */
  reenrolPupils(count: number, now = Date.now()): { oldId: string; student: StudentRow }[] {
    return this.pickStudents(count).map((student) => {
      const oldId = student.wondeId;
      student.wondeId = studentId(this.nextStudentId++);
      student.updatedAt = now;
      student.restoredAt = now;
      this.deletions.push({
        type: 'student',
        id: oldId,
        misId: student.misId,
        deletedAt: now - 1000,
        restoredAt: now,
      });
      return { oldId, student };
    });
  }

  pickStudents(count: number): StudentRow[] {
    const onRoll = (index: number) => this.students[index]!.status === 'on_roll';
    return spread(this.students.length, count, onRoll).map((index) => this.students[index]!);
  }

  private pupilIndexOf(seq: number): number {
    const base = this.school.results.length;
    return seq >= base ? this.extras[seq - base]!.pupilIndex : this.resultPupil[seq]!;
  }

  private resultUpdatedAt(seq: number): number {
    const base = this.school.results.length;
    if (seq >= base) return this.extras[seq - base]!.updatedAt;
    return this.changed.get(seq)?.updatedAt ?? this.resultTime[seq]!;
  }

  private resultSetFor(label: string): string {
    const known = this.resultSetIds.get(label);
    if (known) return known;
    const wondeId = `A90${pad(this.resultSets.length + 1, 8)}`;
    this.resultSetIds.set(label, wondeId);
    this.resultSets.push({ wondeId, misId: String(500 + this.resultSets.length), name: label });
    return wondeId;
  }

  private addExtras(extras: Extras, baseTime: number): void {
    const latest =
      this.resultSets[this.resultSets.length - 1]?.wondeId ?? this.resultSetFor('Autumn');
    const date = new Date(baseTime - 7 * DAY).toISOString().slice(0, 10);
    const add = (aspect: AspectRow | null, count: number, value: (n: number) => string) => {
      if (aspect) this.aspects.push(aspect);
      const aspectId = aspect?.wondeId ?? MISSING_ASPECT_ID;
      for (let n = 0; n < Math.min(count, this.students.length); n += 1) {
        const extra = { aspectId, resultSetId: latest, value: value(n), date, updatedAt: baseTime };
        this.extras.push({ pupilIndex: n, ...extra });
      }
    };
    const aspect = (n: number, name: string, type: AspectRow['type']): AspectRow => ({
      wondeId: `A33${pad(90 + n, 8)}`,
      misId: String(1290 + n),
      name,
      type,
      gradeSet: null,
      updatedAt: baseTime,
    });
    add(aspect(1, 'Times Tables Check', 'INTEGER'), extras.numericResults ?? 0, (n) =>
      String(n % 26),
    );
    add(
      aspect(2, 'Reading Comment', 'COMMENT'),
      extras.commentResults ?? 0,
      () => 'Reads aloud with growing confidence.',
    );
    add(null, extras.orphanResults ?? 0, () => 'EXS');
  }
}

function studentRow(
  schoolId: string,
  pupil: SyntheticPupil,
  seq: number,
  baseTime: number,
): StudentRow {
  const misId = String(seq + 1);
  return {
    seq,
    pupil,
    wondeId: studentId(seq + 1),
    upi: createHash('md5').update(`${schoolId}:${misId}`).digest('hex'),
    misId,
    createdAt: baseTime - 30 * DAY,
    updatedAt: baseTime,
    restoredAt: null,
    status: 'on_roll',
    leavingDate: null,
    senStatus: pupil.senStatus,
  };
}

function studentId(n: number): string {
  return `A2${pad(n, 9)}`;
}

function resultId(seq: number): string {
  return `A5${pad(seq + 1, 9)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// Every `step`-th index that passes, so that changes fall on many pages, not all on the first.
function spread(length: number, count: number, keep: (index: number) => boolean): number[] {
  const picked: number[] = [];
  if (count <= 0 || length === 0) return picked;
  const step = Math.max(1, Math.floor(length / count));
  for (let index = 0; index < length && picked.length < count; index += step) {
    if (keep(index)) picked.push(index);
  }
  for (let index = 0; index < length && picked.length < count; index += 1) {
    if (keep(index) && !picked.includes(index)) picked.push(index);
  }
  return picked;
}

// A different local grade of the same kind, so that a changed value is plainly changed.
function otherValue(value: string): string {
  const swaps: Record<string, string> = { WTS: 'EXS', EXS: 'GDS', GDS: 'EXS' };
  if (swaps[value]) return swaps[value];
  if (/^\d+$/.test(value))
    return String(Number(value) >= 9 ? Number(value) - 1 : Number(value) + 1);
  const words = ['Emerging', 'Developing', 'Secure', 'Mastered', 'Mastery'];
  for (const word of words) {
    if (value.includes(word)) return value.replace(word, word === 'Secure' ? 'Emerging' : 'Secure');
  }
  return `${value}+`;
}
