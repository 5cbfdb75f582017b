import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { RecordProblem, SourcePupil } from '../connectors/contract.ts';
import { byKeys, probeEach, records } from '../db/bulk.ts';
import type { Tx } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { pupilMatchSuggestions, pupils, sourcePupils } from '../db/schema.ts';
import { ncYearOrdinal, parseNcYear } from '../domain/nc-year.ts';
import { checkUpn } from '../domain/upn.ts';
import { fingerprint } from './fingerprint.ts';
import type { PageCounts, StagingScope } from './staging-scope.ts';

/**
 * Staging a page of pupils, and who they are. A pupil is matched by UPN first, then by the
 * source's own stable id; a match on name and date of birth is only ever a suggestion for a
 * person to accept. An unchanged pupil writes nothing.
 */

interface Prepared {
  source: SourcePupil;
  upn: string | null;
  /** Null when the source's date is after the run's day: nobody is born in the future. */
  dateOfBirth: string | null;
  formerUpn: string | null;
  ncYear: string | null;
  ncYearOrdinal: number | null;
  fingerprint: string;
}

type PupilValues = Omit<typeof pupils.$inferInsert, 'id' | 'schoolId'>;

export async function stagePupils(
  tx: Tx,
  scope: StagingScope,
  page: SourcePupil[],
  location: string,
  counts: PageCounts,
) {
  // A source that lists a pupil twice in a page gives the later record.
  const latest = new Map(page.map((pupil) => [pupil.externalId, pupil]));
  const prepared = [...latest.values()].map((pupil) =>
    prepare(pupil, location, scope.today, counts.problems),
  );
  counts.pupilsSeen += prepared.length;
  if (prepared.length === 0) return;

  // What telling a known pupil from a changed one needs, and not the records themselves.
  const known = await rows<{
    id: number;
    external_id: string;
    pupil_id: string | null;
    fingerprint: string;
    removed: boolean;
  }>(
    tx,
    probeEach(
      prepared.map((pupil) => pupil.source.externalId),
      (id) => sql`select id, external_id, pupil_id, fingerprint, removed_at is not null as removed
        from source_pupils where source_id = ${scope.sourceId} and external_id = ${id}`,
    ),
  );
  const byExternalId = new Map(known.map((link) => [link.external_id, link]));

  const fresh: Prepared[] = [];
  for (const pupil of prepared) {
    const link = byExternalId.get(pupil.source.externalId);
    if (!link) {
      fresh.push(pupil);
      continue;
    }
    if (link.fingerprint === pupil.fingerprint && !link.removed) continue;
    if (link.pupil_id && (await upnTakenByAnother(tx, scope.schoolId, link.pupil_id, pupil.upn))) {
      counts.problems.push(
        pupilProblem(
          pupil.source,
          location,
          'UPN',
          'upn_duplicate',
          `UPN ${pupil.upn} already belongs to another pupil at this school; the UPN was not ` +
            'changed. Check both records in the school system.',
        ),
      );
      pupil.upn = null;
    }
    await updateLink(tx, scope, link.id, link.pupil_id, pupil);
    counts.pupilsChanged += 1;
  }

  await linkFreshPupils(tx, scope, fresh, location, counts);
}

function prepare(
  source: SourcePupil,
  location: string,
  today: string,
  problems: RecordProblem[],
): Prepared {
  const upn = validUpn(source.upn, source, location, 'UPN', problems);
  const dateOfBirth = pastDate(source.dateOfBirth, today);
  if (dateOfBirth === null && source.dateOfBirth !== null) {
    problems.push(
      pupilProblem(
        source,
        location,
        'date of birth',
        'birth_date_future',
        `The date of birth ${source.dateOfBirth} is after today, so it was left blank. ` +
          "Correct it in the school's records and send the pupil again.",
      ),
    );
  }
  const formerUpn = validUpn(source.formerUpn, source, location, 'Former UPN', problems);
  let ncYear: string | null = null;
  let ordinal: number | null = null;
  if (source.ncYear !== null && source.ncYear.trim() !== '') {
    const parsed = parseNcYear(source.ncYear);
    if (parsed.ok) {
      ncYear = parsed.year;
      ordinal = ncYearOrdinal(parsed.year);
    } else {
      problems.push(pupilProblem(source, location, 'year group', 'nc_year_unknown', parsed.reason));
    }
  }
  return {
    source,
    upn,
    dateOfBirth,
    formerUpn,
    ncYear,
    ncYearOrdinal: ordinal,
    fingerprint: fingerprint(source),
  };
}

function validUpn(
  value: string | null,
  source: SourcePupil,
  location: string,
  field: string,
  problems: RecordProblem[],
): string | null {
  if (value === null || value.trim() === '') return null;
  const check = checkUpn(value);
  if (check.ok) return check.upn;
  // A connector that already reported this UPN said where it is (its row); once is enough.
  if (problems.some((known) => known.code.startsWith('upn_') && known.message.includes(value))) {
    return null;
  }
  problems.push(pupilProblem(source, location, field, check.code, check.reason));
  return null;
}

function pupilProblem(
  source: SourcePupil,
  location: string,
  field: string,
  code: string,
  reason: string,
): RecordProblem {
  return {
    location,
    row: null,
    field,
    code,
    message: `Pupil ${source.externalId}: ${reason}`,
  };
}

async function updateLink(
  tx: Tx,
  scope: StagingScope,
  linkId: number,
  pupilId: string | null,
  pupil: Prepared,
) {
  await tx
    .update(sourcePupils)
    .set({
      record: pupil.source as unknown as Record<string, unknown>,
      fingerprint: pupil.fingerprint,
      upn: pupil.upn,
      removedAt: null,
      lastChangedRunId: scope.runId,
    })
    .where(eq(sourcePupils.id, linkId));
  if (pupilId === null) return;
  await tx
    .update(pupils)
    .set({ ...pupilValues(pupil), leftAt: null, updatedAt: new Date() })
    .where(eq(pupils.id, pupilId));
}

async function linkFreshPupils(
  tx: Tx,
  scope: StagingScope,
  fresh: Prepared[],
  location: string,
  counts: PageCounts,
) {
  if (fresh.length === 0) return;
  const { byUpn, byBirth } = await knownPupils(tx, scope.schoolId, fresh);

  const created: (typeof pupils.$inferInsert)[] = [];
  const links: Link[] = [];
  for (const pupil of fresh) {
    const match = matchByUpn(byUpn, pupil);
    if (match) {
      const values = pupilValues(pupil);
      // A record that still carries the UPN the school has since replaced (a tracker not yet
      // told) is this pupil, but does not give them their old UPN back.
      if (match.upn !== null && pupil.upn !== null && pupil.upn === match.formerUpn) {
        values.upn = match.upn;
        values.formerUpn = match.formerUpn;
      }
      await tx
        .update(pupils)
        .set({ ...values, leftAt: null, updatedAt: new Date() })
        .where(eq(pupils.id, match.id));
      links.push({ pupil, pupilId: match.id, suggested: null });
      continue;
    }
    const suggested = byBirth.get(nameAndBirthKey(pupil.source)) ?? null;
    if (suggested && (pupil.upn === null || suggested.upn === null)) {
      counts.problems.push({
        location,
        row: null,
        field: null,
        code: 'pupil_match_suggested',
        message:
          `Pupil ${pupil.source.externalId} has no UPN match but shares a name and date of ` +
          'birth with a pupil already known: confirm or reject the match on the pupils page.',
      });
      links.push({ pupil, pupilId: null, suggested: suggested.id });
      continue;
    }
    const id = randomUUID();
    created.push({ id, schoolId: scope.schoolId, ...pupilValues(pupil) });
    rememberUpn(byUpn, { id, upn: pupil.upn, formerUpn: pupil.formerUpn });
    links.push({ pupil, pupilId: id, suggested: null });
  }

  for (const group of byKeys(created)) {
    const written = records(pupils, group);
    await tx.execute(sql`insert into pupils ${written.columns} ${written.select}`);
  }
  counts.pupilsNew += created.length;
  await insertLinks(tx, scope, links);
}

interface Link {
  pupil: Prepared;
  pupilId: string | null;
  suggested: string | null;
}

async function upnTakenByAnother(tx: Tx, schoolId: string, pupilId: string, upn: string | null) {
  if (upn === null) return false;
  const [other] = await tx
    .select({ id: pupils.id })
    .from(pupils)
    .where(and(eq(pupils.schoolId, schoolId), eq(pupils.upn, upn), sql`${pupils.id} <> ${pupilId}`))
    .limit(1);
  return other !== undefined;
}

type KnownPupil = { id: string; upn: string | null; formerUpn: string | null };

/**
 * The school's pupils a page of pupils new to the source could be: those with one of the page's
 * UPNs (or former UPNs), and those born on a day one of the page's pupils was born who could be
 * suggested as the same person (only a pupil without a UPN, unless the new pupil has none). Only
 * those reach the service: a page of a large upload no longer carries the whole roll across.
 */
async function knownPupils(tx: Tx, schoolId: string, fresh: readonly Prepared[]) {
  const upns = new Set<string>();
  const born = new Set<string>();
  const bornWithoutUpn = new Set<string>();
  for (const pupil of fresh) {
    if (pupil.upn) upns.add(pupil.upn);
    if (pupil.formerUpn) upns.add(pupil.formerUpn);
    // A birthday after today was left blank, and no pupil the school holds was born then.
    if (pupil.dateOfBirth) {
      born.add(pupil.dateOfBirth);
      if (!pupil.upn) bornWithoutUpn.add(pupil.dateOfBirth);
    }
  }
  // Each wanted UPN and birthday is a probe of an index that leads with the school, so that a
  // page costs the same whether the school holds a hundred pupils or thirty thousand. The school
  // is given as a subquery: planned on its id, a school new to the statistics looks like a
  // school of one pupil, and each probe would read its whole roll through the school's own index.
  const school = sql`(select ${schoolId}::uuid)`;
  const columns = sql`id, upn, former_upn as "formerUpn", first_name as "firstName",
    last_name as "lastName", date_of_birth::text as "dateOfBirth"`;
  const anyoneBorn = [...bornWithoutUpn];
  const bornOnlyWithoutUpn = [...born].filter((day) => !bornWithoutUpn.has(day));
  const found = await rows<
    KnownPupil & {
      firstName: string;
      lastName: string;
      dateOfBirth: string | null;
    }
  >(
    tx,
    sql`${probeEach(
      [...upns],
      (upn) => sql`select ${columns} from pupils where school_id = ${school} and upn = ${upn}`,
    )}
    union
    ${probeEach(
      [...upns],
      (upn) =>
        sql`select ${columns} from pupils where school_id = ${school} and former_upn = ${upn}`,
    )}
    union
    ${probeEach(
      bornOnlyWithoutUpn,
      (day) => sql`select ${columns} from pupils
        where school_id = ${school} and date_of_birth = ${day}::date and upn is null`,
    )}
    union
    ${probeEach(
      anyoneBorn,
      (day) => sql`select ${columns} from pupils
        where school_id = ${school} and date_of_birth = ${day}::date`,
    )}`,
  );
  const byUpn = new Map<string, KnownPupil>();
  const byBirth = new Map<string, { id: string; upn: string | null }>();
  for (const pupil of found) {
    rememberUpn(byUpn, pupil);
    if (pupil.dateOfBirth !== null) {
      byBirth.set(nameAndBirthKey(pupil), { id: pupil.id, upn: pupil.upn });
    }
  }
  return { byUpn, byBirth };
}

function rememberUpn(byUpn: Map<string, KnownPupil>, pupil: KnownPupil) {
  if (pupil.upn) byUpn.set(pupil.upn, pupil);
  if (pupil.formerUpn && !byUpn.has(pupil.formerUpn)) byUpn.set(pupil.formerUpn, pupil);
}

function matchByUpn(byUpn: Map<string, KnownPupil>, pupil: Prepared): KnownPupil | null {
  if (pupil.upn && byUpn.has(pupil.upn)) return byUpn.get(pupil.upn)!;
  if (pupil.formerUpn && byUpn.has(pupil.formerUpn)) return byUpn.get(pupil.formerUpn)!;
  return null;
}

function nameAndBirthKey(person: {
  firstName: string;
  lastName: string;
  dateOfBirth: string | null;
}) {
  return [person.firstName, person.lastName, person.dateOfBirth ?? '']
    .map((part) => part.trim().toLowerCase())
    .join('|');
}

async function insertLinks(tx: Tx, scope: StagingScope, links: Link[]) {
  if (links.length === 0) return;
  const written = records(
    sourcePupils,
    links.map(({ pupil, pupilId }) => ({
      sourceId: scope.sourceId,
      externalId: pupil.source.externalId,
      pupilId,
      upn: pupil.upn,
      record: pupil.source as unknown as Record<string, unknown>,
      fingerprint: pupil.fingerprint,
      lastChangedRunId: scope.runId,
    })),
  );
  const inserted = await rows<{ id: number; external_id: string }>(
    tx,
    sql`insert into source_pupils ${written.columns} ${written.select} returning id, external_id`,
  );
  const linkId = new Map(inserted.map((row) => [row.external_id, Number(row.id)]));
  const suggestions = links.filter((link) => link.suggested !== null);
  if (suggestions.length === 0) return;
  await tx.insert(pupilMatchSuggestions).values(
    suggestions.map((link) => ({
      sourcePupilId: linkId.get(link.pupil.source.externalId)!,
      pupilId: link.suggested!,
      reason: 'Same first name, last name and date of birth; no UPN to confirm it.',
    })),
  );
}

/** The pupil fields a source sets; a value the source does not give keeps what we had. */
function pupilValues(pupil: Prepared): PupilValues {
  const source = pupil.source;
  const values: PupilValues = {
    firstName: source.firstName,
    lastName: source.lastName,
  };
  const optional: Partial<PupilValues> = {
    upn: pupil.upn,
    formerUpn: pupil.formerUpn,
    dateOfBirth: pupil.dateOfBirth,
    sex: source.sex,
    ncYear: pupil.ncYear,
    senStatus: source.senStatus,
    disadvantaged: source.disadvantaged,
    eal: source.eal,
    onRollFrom: source.onRollFrom,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== null && value !== undefined) Object.assign(values, { [key]: value });
  }
  if (pupil.ncYear !== null) values.ncYearOrdinal = pupil.ncYearOrdinal;
  // A source that reports when a pupil joined also reports when they left, or that they have not.
  if (source.onRollFrom !== null) values.onRollTo = source.onRollTo;
  return values;
}

function pastDate(date: string | null, today: string): string | null {
  return date !== null && date > today ? null : date;
}
