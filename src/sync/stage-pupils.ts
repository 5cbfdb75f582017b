import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { RecordProblem, SourcePupil } from '../connectors/contract.ts';
import type { Tx } from '../db/index.ts';
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
  const prepared = page.map((pupil) => prepare(pupil, location, counts.problems));
  counts.pupilsSeen += prepared.length;
  if (prepared.length === 0) return;

  const known = await tx
    .select()
    .from(sourcePupils)
    .where(
      and(
        eq(sourcePupils.sourceId, scope.sourceId),
        inArray(
          sourcePupils.externalId,
          prepared.map((pupil) => pupil.source.externalId),
        ),
      ),
    );
  const byExternalId = new Map(known.map((link) => [link.externalId, link]));

  const fresh: Prepared[] = [];
  for (const pupil of prepared) {
    const link = byExternalId.get(pupil.source.externalId);
    if (!link) {
      fresh.push(pupil);
      continue;
    }
    if (link.fingerprint === pupil.fingerprint && link.removedAt === null) continue;
    if (link.pupilId && (await upnTakenByAnother(tx, scope.schoolId, link.pupilId, pupil.upn))) {
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
    await updateLink(tx, scope, link.id, link.pupilId, pupil);
    counts.pupilsChanged += 1;
  }

  await linkFreshPupils(tx, scope, fresh, location, counts);
}

function prepare(source: SourcePupil, location: string, problems: RecordProblem[]): Prepared {
  const upn = validUpn(source.upn, source, location, 'UPN', problems);
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
  const byUpn = await pupilsByUpn(tx, scope.schoolId, fresh);

  for (const pupil of fresh) {
    const match = matchByUpn(byUpn, pupil);
    let pupilId = match?.id ?? null;
    if (match) {
      await tx
        .update(pupils)
        .set({ ...pupilValues(pupil), leftAt: null, updatedAt: new Date() })
        .where(eq(pupils.id, match.id));
    } else {
      const suggested = await suggestByNameAndBirth(tx, scope.schoolId, pupil);
      if (suggested) {
        counts.problems.push({
          location,
          row: null,
          field: null,
          code: 'pupil_match_suggested',
          message:
            `Pupil ${pupil.source.externalId} has no UPN match but shares a name and date of ` +
            'birth with a pupil already known: confirm or reject the match on the pupils page.',
        });
        await insertLink(tx, scope, pupil, null, suggested);
        continue;
      }
      const [created] = await tx
        .insert(pupils)
        .values({ schoolId: scope.schoolId, ...pupilValues(pupil) })
        .returning({ id: pupils.id, upn: pupils.upn, formerUpn: pupils.formerUpn });
      pupilId = created!.id;
      rememberUpn(byUpn, created!);
      counts.pupilsNew += 1;
    }
    await insertLink(tx, scope, pupil, pupilId, null);
  }
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

async function pupilsByUpn(tx: Tx, schoolId: string, fresh: Prepared[]) {
  const upns = fresh.flatMap((pupil) => [pupil.upn, pupil.formerUpn]).filter(isString);
  const byUpn = new Map<string, KnownPupil>();
  if (upns.length === 0) return byUpn;
  const found = await tx
    .select({ id: pupils.id, upn: pupils.upn, formerUpn: pupils.formerUpn })
    .from(pupils)
    .where(
      and(
        eq(pupils.schoolId, schoolId),
        or(inArray(pupils.upn, upns), inArray(pupils.formerUpn, upns)),
      ),
    );
  for (const pupil of found) rememberUpn(byUpn, pupil);
  return byUpn;
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

async function suggestByNameAndBirth(tx: Tx, schoolId: string, pupil: Prepared) {
  const { firstName, lastName, dateOfBirth } = pupil.source;
  if (!dateOfBirth || !lastName) return null;
  const [candidate] = await tx
    .select({ id: pupils.id })
    .from(pupils)
    .where(
      and(
        eq(pupils.schoolId, schoolId),
        eq(pupils.dateOfBirth, dateOfBirth),
        sql`lower(${pupils.lastName}) = lower(${lastName})`,
        sql`lower(${pupils.firstName}) = lower(${firstName})`,
        // A pupil whose UPN differs from this record's is someone else.
        pupil.upn ? isNull(pupils.upn) : undefined,
      ),
    )
    .limit(1);
  return candidate?.id ?? null;
}

async function insertLink(
  tx: Tx,
  scope: StagingScope,
  pupil: Prepared,
  pupilId: string | null,
  suggestedPupilId: string | null,
) {
  const [link] = await tx
    .insert(sourcePupils)
    .values({
      sourceId: scope.sourceId,
      externalId: pupil.source.externalId,
      pupilId,
      upn: pupil.upn,
      record: pupil.source as unknown as Record<string, unknown>,
      fingerprint: pupil.fingerprint,
      lastChangedRunId: scope.runId,
    })
    .returning({ id: sourcePupils.id });
  if (suggestedPupilId === null) return;
  await tx.insert(pupilMatchSuggestions).values({
    sourcePupilId: link!.id,
    pupilId: suggestedPupilId,
    reason: 'Same first name, last name and date of birth; no UPN to confirm it.',
  });
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
    dateOfBirth: source.dateOfBirth,
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

function isString(value: string | null): value is string {
  return value !== null;
}
