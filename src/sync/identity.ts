import { eq } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { SourcePupil } from '../connectors/contract.ts';
import type { Db } from '../db/index.ts';
import { pupilMatchSuggestions, pupils, sourcePupils } from '../db/schema.ts';
import { ncYearOrdinal, parseNcYear } from '../domain/nc-year.ts';
import { academicYearStartOf } from '../domain/school-year.ts';
import { type DeriveOutcome, deriveSchool } from './derive.ts';

/**
 * A person's answer to a suggested match on name and date of birth: the same pupil (the source's
 * record joins the pupil we know), or someone else (the record becomes a pupil of its own). Either
 * way the school's results are re-derived at once.
 */

export class IdentityError extends Error {
  override name = 'IdentityError';
}

export async function decideMatch(
  db: Db,
  actor: Actor,
  suggestionId: number,
  samePupil: boolean,
  today: string,
): Promise<DeriveOutcome> {
  return db.transaction(async (tx) => {
    const [suggestion] = await tx
      .select()
      .from(pupilMatchSuggestions)
      .where(eq(pupilMatchSuggestions.id, suggestionId));
    if (!suggestion) throw new IdentityError('There is no such suggested match.');
    if (suggestion.status !== 'open') {
      throw new IdentityError(`This match has already been ${suggestion.status}.`);
    }
    const [link] = await tx
      .select()
      .from(sourcePupils)
      .where(eq(sourcePupils.id, suggestion.sourcePupilId));
    const [known] = await tx.select().from(pupils).where(eq(pupils.id, suggestion.pupilId));
    if (!link || !known) throw new IdentityError('The pupil records of this match are gone.');

    let pupilId = known.id;
    if (!samePupil) {
      const record = link.record as unknown as SourcePupil;
      const year = record.ncYear ? parseNcYear(record.ncYear) : null;
      const [created] = await tx
        .insert(pupils)
        .values({
          schoolId: known.schoolId,
          upn: link.upn,
          firstName: record.firstName ?? '',
          lastName: record.lastName ?? '',
          dateOfBirth: record.dateOfBirth,
          sex: record.sex,
          ncYear: year?.ok ? year.year : null,
          ncYearOrdinal: year?.ok ? ncYearOrdinal(year.year) : null,
          senStatus: record.senStatus,
          disadvantaged: record.disadvantaged,
          eal: record.eal,
          onRollFrom: record.onRollFrom,
          onRollTo: record.onRollTo,
        })
        .returning({ id: pupils.id });
      pupilId = created!.id;
    }
    await tx.update(sourcePupils).set({ pupilId }).where(eq(sourcePupils.id, link.id));
    await tx
      .update(pupilMatchSuggestions)
      .set({
        status: samePupil ? 'accepted' : 'rejected',
        decidedBy: actor.userId,
        decidedAt: new Date(),
      })
      .where(eq(pupilMatchSuggestions.id, suggestion.id));
    await recordAudit(tx, actor, {
      action: samePupil ? 'pupil_match.accept' : 'pupil_match.reject',
      entityType: 'pupil',
      entityId: pupilId,
      schoolId: known.schoolId,
      details: { suggestionId, sourcePupilId: link.id },
    });
    return deriveSchool(tx, known.schoolId, academicYearStartOf(today));
  });
}
