import { describe, expect, it } from 'vitest';
import { FORMER_UPN, PRIMARY, SPECIAL, TEMPORARY_UPN } from './fixtures/make-fixtures.ts';
import { config, fixture, pullCtf, upload } from './helpers/ctf.ts';
import { CTF_FOOTER, ctfHeader, pupilXml } from './helpers/ctf-xml.ts';
import { expectedPupil, expectedResults } from './helpers/expected.ts';

describe("primary.xml: a primary school's full CTF", () => {
  it('gives all 35 pupils and every recorded result, with no problems', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));

    expect(outcome.pupils).toHaveLength(35);
    expect(outcome.results.map((r) => r.externalId.split('/').slice(1).join('/')).length).toBe(
      expectedResults(PRIMARY).length,
    );
    expect(outcome.problems).toEqual([]);
    expect(outcome.summary?.complete).toBe(true);
  });

  it('reads KS1 and KS2 TA, KS2 tests, phonics and the MTC as aspects', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));
    const aspects = new Map(outcome.results.map((r) => [r.aspect.key, r.aspect]));

    expect([...aspects.values()].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'KS1/ENG/TA/REA', name: 'KS1 Reading TA', gradeSet: 'KS1 teacher assessment' },
      { key: 'KS1/ENG/TA/WRI', name: 'KS1 Writing TA', gradeSet: 'KS1 teacher assessment' },
      {
        key: 'KS1/ENG/TT/PHO#MK',
        name: 'KS1 Phonics screening check (MK)',
        gradeSet: 'Phonics screening check',
      },
      {
        key: 'KS1/ENG/TT/PHO#OC',
        name: 'KS1 Phonics screening check (OC)',
        gradeSet: 'Phonics screening check',
      },
      { key: 'KS1/MAT/TA/-', name: 'KS1 Maths TA', gradeSet: 'KS1 teacher assessment' },
      { key: 'KS1/SCI/TA/-', name: 'KS1 Science TA', gradeSet: 'KS1 teacher assessment' },
      { key: 'KS2/ENG/TA/WRI', name: 'KS2 Writing TA', gradeSet: 'KS2 teacher assessment' },
      {
        key: 'KS2/ENG/TT/GPS#SS',
        name: 'KS2 Grammar, punctuation and spelling test scaled score',
        gradeSet: 'KS2 scaled score',
      },
      {
        key: 'KS2/ENG/TT/REA#SS',
        name: 'KS2 Reading test scaled score',
        gradeSet: 'KS2 scaled score',
      },
      { key: 'KS2/MAT/TT/-#SS', name: 'KS2 Maths test scaled score', gradeSet: 'KS2 scaled score' },
      {
        key: 'KS2/MAT/TT/MTC#MT',
        name: 'KS2 Multiplication tables check',
        gradeSet: 'Multiplication tables check',
      },
      { key: 'KS2/SCI/TA/-', name: 'KS2 Science TA', gradeSet: 'KS2 teacher assessment' },
    ]);
  });

  it('keeps non-attainment codes as results, leaving out the blank mark beside one', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));
    const codes = outcome.results.filter((r) => /^[A-Z]{1,3}$/.test(r.value) && r.value.length < 3);
    const absentPhonics = outcome.results.filter(
      (r) => r.aspect.key === 'KS1/ENG/TT/PHO#OC' && r.value === 'A',
    );

    expect(codes.map((r) => r.value)).toContain('A');
    for (const absent of absentPhonics) {
      const mark = outcome.results.find(
        (r) =>
          r.pupilExternalId === absent.pupilExternalId &&
          r.aspect.key === 'KS1/ENG/TT/PHO#MK' &&
          r.periodLabel === absent.periodLabel,
      );
      expect(mark).toBeUndefined();
    }
    expect(absentPhonics.length).toBeGreaterThan(0);
  });

  it('accepts a temporary UPN and reads a former UPN', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));
    const [, , , , fifth, sixth] = PRIMARY.school.pupils;

    expect(outcome.pupils[4]).toMatchObject({ externalId: TEMPORARY_UPN, upn: TEMPORARY_UPN });
    expect(outcome.pupils[5]).toEqual({ ...expectedPupil(sixth!), formerUpn: FORMER_UPN });
    expect(fifth!.upn).not.toBe(TEMPORARY_UPN);
  });

  it('does not count free school meals ended over six years before the file', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));
    const index = PRIMARY.school.pupils.findIndex((p) => p.ncYear === 'Y6' && !p.disadvantaged);

    expect(outcome.pupils[index]?.disadvantaged).toBe(false);
  });

  it('reads the latest SEN provision by start date, whatever the order in the file', async () => {
    const outcome = await pullCtf(fixture('primary.xml'));
    const index = PRIMARY.school.pupils.findIndex((p) => p.senStatus === 'E');

    expect(index).toBeGreaterThanOrEqual(0);
    expect(outcome.pupils[index]?.senStatus).toBe('E');
  });
});

describe("special.xml: a special school's older CTF, with Gender and pre-key stage results", () => {
  it('reads every pupil, the sex written as Gender, and NC year X', async () => {
    const outcome = await pullCtf(fixture('special.xml'));

    expect(outcome.pupils).toEqual(SPECIAL.school.pupils.map(expectedPupil));
    expect(outcome.pupils.map((p) => p.ncYear)).toContain('X');
  });

  it('keeps pre-key stage, engagement model and historical codes without complaint', async () => {
    const outcome = await pullCtf(fixture('special.xml'));
    const values = new Set(outcome.results.map((r) => r.value));

    expect(outcome.problems).toEqual([]);
    expect(outcome.results.map((r) => `${r.externalId} ${r.value}`).sort()).toEqual(
      expectedResults(SPECIAL).sort(),
    );
    for (const code of ['PK2', 'PK5', 'EM', 'BLW', 'PKF', 'HNM', 'D', 'B'])
      expect(values).toContain(code);
  });
});

describe('a partial CTF (an assessment export)', () => {
  it('leaves disadvantage and SEN unknown where it carries no FSM or SEN history', async () => {
    const spec = { ...PRIMARY, qualifier: 'partial' as const, unread: false };
    const pupil = PRIMARY.school.pupils.find((p) => !p.disadvantaged && p.senStatus === 'N')!;
    const xml = ctfHeader(spec) + pupilXml(spec, pupil) + CTF_FOOTER;

    const outcome = await pullCtf(upload('partial.xml', xml));

    expect(outcome.pupils).toEqual([
      { ...expectedPupil(pupil), disadvantaged: null, senStatus: null },
    ]);
    expect(outcome.events.map((e) => e.code)).toEqual(['ctf_header', 'ctf_partial', 'ctf_read']);
  });
});

describe('settings for the codes the research could not confirm', () => {
  it('names qualifiers and subjects as the trust sets them', async () => {
    const settings = config({
      qualifierNames: { MK: 'mark', OC: 'outcome' },
      componentNames: { REA: 'English reading' },
    });

    const outcome = await pullCtf(fixture('primary.xml'), { config: settings });
    const names = new Set(outcome.results.map((r) => r.aspect.name));

    expect(names).toContain('KS1 Phonics screening check mark');
    expect(names).toContain('KS1 Phonics screening check outcome');
    expect(names).toContain('KS1 English reading TA');
  });

  it('takes the phonics check from other codes when told to', async () => {
    const settings = config({ phonicsCodes: ['PSC'] });
    const xml = (
      ctfHeader(PRIMARY) +
      pupilXml(PRIMARY, PRIMARY.school.pupils[1]!) +
      CTF_FOOTER
    ).replaceAll('<Component>PHO</Component>', '<Component>PSC</Component>');

    const outcome = await pullCtf(upload('psc.xml', xml), { config: settings });

    expect(outcome.results.map((r) => r.aspect.gradeSet)).toEqual([
      'Phonics screening check',
      'Phonics screening check',
    ]);
  });
});
