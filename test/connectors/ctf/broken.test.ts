import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SMALL } from './fixtures/make-fixtures.ts';
import { fixture, problemsOf, pullCtf, upload } from './helpers/ctf.ts';
import { CTF_FOOTER, ctfHeader, pupilXml } from './helpers/ctf-xml.ts';
import { expectedPupil, expectedResults } from './helpers/expected.ts';

const [first, second, third, fourth, fifth, sixth, seventh] = SMALL.school.pupils;
const pupilsOf = (outcome: Awaited<ReturnType<typeof pullCtf>>) =>
  new Map(outcome.pupils.map((pupil) => [pupil.externalId, pupil]));

describe('truncated.xml: a download cut off inside the fourth pupil', () => {
  it('says where the file stops and that it may have been cut short', async () => {
    const outcome = await pullCtf(fixture('truncated.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 106,
        field: null,
        code: 'ctf_truncated',
        message:
          'The file stops part-way, at line 106, before the CTF closes: it may have been cut ' +
          'short while downloading or uploading. The pupils before that point were read ' +
          '(3 pupils). Upload the whole file again.',
      },
    ]);
  });

  it('still gives the three pupils before the cut, and their results, as incomplete', async () => {
    const outcome = await pullCtf(fixture('truncated.xml'));
    const before = [first!, second!, third!];

    expect(outcome.pupils).toEqual(before.map(expectedPupil));
    expect(outcome.results.map((r) => `${r.externalId} ${r.value}`)).toEqual(
      expectedResults(SMALL, before),
    );
    expect(outcome.summary).toEqual({ complete: false, cursor: {} });
  });
});

describe('malformed.xml: a closing tag that does not match, in the third pupil', () => {
  it('says where the XML breaks and gives the pupils before it', async () => {
    const outcome = await pullCtf(fixture('malformed.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 79,
        field: null,
        code: 'ctf_malformed',
        message:
          'The XML is broken at line 79, column 33 (unexpected close tag), so the file was read ' +
          'only up to there. The pupils before that point were read (2 pupils). Ask for a fresh ' +
          'export of the CTF.',
      },
    ]);
    expect(outcome.pupils).toEqual([first!, second!].map(expectedPupil));
    expect(outcome.summary?.complete).toBe(false);
  });
});

describe('xxe.xml: a DTD with an external entity used in a surname and the school name', () => {
  it('ignores the DTD, expands no entity, and says so for each field that used one', async () => {
    const outcome = await pullCtf(fixture('xxe.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 6,
        field: null,
        code: 'ctf_doctype_ignored',
        message:
          'The file declares a document type (<!DOCTYPE ...>), which a CTF never has. It was ' +
          'ignored: no entity it declares was expanded and nothing it refers to was opened. If ' +
          "the file did not come straight from a school's MIS or S2S, check where it came from.",
      },
      {
        row: 18,
        field: 'Header/SourceSchool/SchoolName',
        code: 'xml_entity_unexpanded',
        message:
          'The header element SourceSchool/SchoolName uses an entity (&name;), which is never ' +
          'expanded, so its text was not read.',
      },
      {
        row: 54,
        field: 'Surname',
        code: 'xml_entity_unexpanded',
        message:
          'Pupil 2 in the file: Surname uses an entity (&name;), which is never expanded, so its ' +
          'text was not read.',
      },
    ]);
  });

  it('gives every pupil, the one with the entity without surname, and reads no file', async () => {
    const outcome = await pullCtf(fixture('xxe.xml'));

    expect(outcome.pupils).toEqual(
      SMALL.school.pupils.map((pupil, index) => ({
        ...expectedPupil(pupil),
        lastName: index === 1 ? '' : pupil.lastName,
      })),
    );
    expect(outcome.results).toHaveLength(expectedResults(SMALL).length);
    expect(JSON.stringify(outcome)).not.toMatch(/root:|\/bin\/|passwd/);
  });

  it('makes no request to an address the DTD names', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.end('<!ENTITY leak "stolen">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const doctype =
      `<!DOCTYPE CTfile SYSTEM "http://127.0.0.1:${port}/ctf.dtd" [\n` +
      `  <!ENTITY % remote SYSTEM "http://127.0.0.1:${port}/evil.dtd">\n  %remote;\n` +
      `  <!ENTITY secret SYSTEM "http://127.0.0.1:${port}/secret">\n]>\n`;
    const xml =
      ctfHeader(SMALL).replace('<CTfile>', `${doctype}<CTfile>`) +
      pupilXml(SMALL, first!).replace(/<Surname>[^<]*</, '<Surname>&secret;<') +
      CTF_FOOTER;

    try {
      const outcome = await pullCtf(upload('remote-dtd.xml', xml));

      expect(outcome.pupils).toHaveLength(1);
      expect(outcome.problems.map((problem) => problem.code)).toEqual([
        'ctf_doctype_ignored',
        'xml_entity_unexpanded',
      ]);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('reads a "billion laughs" file at once, expanding nothing', async () => {
    const laughs = Array.from(
      { length: 9 },
      (_, n) => `  <!ENTITY lol${n + 1} "${`&lol${n};`.repeat(10)}">`,
    ).join('\n');
    const doctype = `<!DOCTYPE CTfile [\n  <!ENTITY lol0 "lol">\n${laughs}\n]>\n`;
    const xml =
      ctfHeader(SMALL).replace('<CTfile>', `${doctype}<CTfile>`) +
      pupilXml(SMALL, first!).replace(/<Forename>[^<]*</, '<Forename>&lol9;<') +
      CTF_FOOTER;

    const outcome = await pullCtf(upload('laughs.xml', xml));

    expect(outcome.pupils[0]?.firstName).toBe('');
    expect(JSON.stringify(outcome)).not.toContain('lollol');
  });
});

describe('invalid-upn.xml: UPNs that fail the DfE rules', () => {
  it('names each pupil, the rule their UPN breaks, and how they are matched instead', async () => {
    const outcome = await pullCtf(fixture('invalid-upn.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 49,
        field: 'UPN',
        code: 'upn_check_letter',
        message:
          `Pupil 2 in the file: UPN A${second!.upn.slice(1)} starts with A, but the rest of the ` +
          'number gives the check letter D; a character is probably mistyped, so compare it ' +
          "with the pupil's record. The pupil is matched by surname, forename and date of birth " +
          'instead.',
      },
      {
        row: 76,
        field: 'UPN',
        code: 'upn_la_code',
        message:
          'Pupil 3 in the file: UPN F900204022002 has 900 in characters 2 to 4, which is not a ' +
          "DfE local authority number; compare it with the pupil's CTF or the records of the " +
          'school that gave it. The pupil is matched by surname, forename and date of birth ' +
          'instead.',
      },
      {
        row: 103,
        field: 'UPN',
        code: 'upn_missing',
        message:
          'Pupil 4 in the file has no UPN. The pupil is matched by surname, forename and date ' +
          'of birth instead.',
      },
      {
        row: 130,
        field: 'UPN',
        code: 'pupil_unidentified',
        message:
          'Pupil 5 in the file has no UPN. With no surname and forename either, the pupil ' +
          'cannot be matched to anyone, so neither they nor their results were read. Add the ' +
          "UPN in the school's MIS and export the CTF again.",
      },
      {
        row: 163,
        field: 'UPN',
        code: 'pupil_repeated',
        message:
          `Pupil ${first!.upn} appears more than once in the file; the first record was read ` +
          'and this one, with its results, was not. Ask the school that made the CTF to merge ' +
          'the two records.',
      },
      {
        row: 203,
        field: 'BasicDetails/FormerUPN',
        code: 'upn_length',
        message:
          `Pupil ${seventh!.upn}: the former UPN is not valid, so it was left out. UPN ` +
          `${seventh!.upn.slice(0, 12)} has 12 characters; a UPN has 13: a letter followed by ` +
          '12 digits, or by 11 digits and a letter for a temporary UPN.',
      },
    ]);
  });

  it('keys pupils with an unusable UPN by a hash of name and date of birth', async () => {
    const outcome = await pullCtf(fixture('invalid-upn.xml'));
    const byName = outcome.pupils.filter((pupil) => pupil.upn === null);

    expect(byName.map((pupil) => pupil.lastName)).toEqual([
      second!.lastName,
      third!.lastName,
      fourth!.lastName,
    ]);
    for (const pupil of byName) {
      expect(pupil.externalId).toMatch(/^name:[0-9a-f]{24}$/);
      expect(pupil.externalId.toLowerCase()).not.toContain(pupil.lastName.toLowerCase());
    }
    const ids = new Set(outcome.pupils.map((pupil) => pupil.externalId));
    expect(outcome.results.every((result) => ids.has(result.pupilExternalId))).toBe(true);
  });

  it('still gives the pupils whose UPNs are valid, as written', async () => {
    const pupils = pupilsOf(await pullCtf(fixture('invalid-upn.xml')));

    expect(pupils.get(first!.upn)).toEqual(expectedPupil(first!));
    expect(pupils.get(seventh!.upn)).toEqual(expectedPupil(seventh!));
    expect(pupils.size).toBe(5);
    expect(fifth!.upn).not.toBe(sixth!.upn);
  });
});

describe('impossible-dates.xml: dates that are not real or not written YYYY-MM-DD', () => {
  it('names each date and leaves only that value out', async () => {
    const outcome = await pullCtf(fixture('impossible-dates.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 22,
        field: 'DOB',
        code: 'date_invalid',
        message:
          `Pupil ${first!.upn}: DOB "2020-02-30" is not a real date written YYYY-MM-DD, ` +
          'so it was not used.',
      },
      {
        row: 64,
        field: 'StageAssessment/ResultDate',
        code: 'date_invalid',
        message:
          `Pupil ${second!.upn}: the KS1 Phonics screening check (MK) result date "2025-13-01" ` +
          'is not a real date written YYYY-MM-DD, so the result was kept without a date; its ' +
          'year still places it.',
      },
      {
        row: 76,
        field: 'FSMhistory/FSMinstance/FSMstartDate',
        code: 'date_invalid',
        message:
          `Pupil ${third!.upn}: FSMstartDate "2023-02-29" is not a real date written ` +
          'YYYY-MM-DD, so it was not used.',
      },
      {
        row: 104,
        field: 'SchoolHistory/School/EntryDate',
        code: 'date_invalid',
        message:
          `Pupil ${fourth!.upn}: EntryDate "01/09/2021" is not a real date written ` +
          'YYYY-MM-DD, so it was not used.',
      },
    ]);
  });

  it('keeps pupils and results, with the dates and what hangs on them unknown', async () => {
    const outcome = await pullCtf(fixture('impossible-dates.xml'));
    const pupils = pupilsOf(outcome);
    const phonics = outcome.results.filter(
      (r) => r.pupilExternalId === second!.upn && r.aspect.key === 'KS1/ENG/TT/PHO#MK',
    );

    expect(pupils.get(first!.upn)).toEqual({ ...expectedPupil(first!), dateOfBirth: null });
    // An FSM period with no readable start or end cannot say whether it falls within six years.
    expect(pupils.get(third!.upn)).toEqual({
      ...expectedPupil(third!),
      disadvantaged: third!.disadvantaged ? true : null,
    });
    expect(pupils.get(fourth!.upn)).toEqual({ ...expectedPupil(fourth!), onRollFrom: null });
    expect(phonics.map((r) => [r.assessedOn, r.periodLabel])).toEqual([[null, 'KS1 Summer 2025']]);
    expect(outcome.results).toHaveLength(expectedResults(SMALL).length);
  });
});

describe('unknown-codes.xml: codes outside the DfE lists', () => {
  it('reports each unknown outcome, sex and SEN code, with the allowed codes', async () => {
    const outcome = await pullCtf(fixture('unknown-codes.xml'));

    expect(problemsOf(outcome)).toEqual([
      {
        row: 66,
        field: 'StageAssessment/Result',
        code: 'outcome_unknown',
        message:
          `Pupil ${second!.upn}: the KS1 Phonics screening check (OC) result for 2025 is "Wx", ` +
          'which is not a Phonics screening check outcome (a mark from 0 to 40, or Wa, Wt, A, ' +
          'D, L or Q). It was kept as written for a subject leader to map; if it is a typing ' +
          'error, ask the school that made the CTF to correct it.',
      },
      {
        row: 77,
        field: 'Sex',
        code: 'sex_unrecognised',
        message: `Pupil ${third!.upn}: sex "Q" is not M or F, so it was left blank.`,
      },
      {
        row: 104,
        field: 'SENhistory/SEN/SENprovision',
        code: 'sen_unrecognised',
        message:
          `Pupil ${fourth!.upn}: SEN provision "Z" is not a census code, so SEN status was left ` +
          'blank. The codes are N (no SEN), K (SEN support) and E (EHC plan).',
      },
      {
        row: 156,
        field: 'StageAssessment/Result',
        code: 'outcome_unknown',
        message:
          `Pupil ${fifth!.upn}: the KS2 Multiplication tables check result for 2025 is "26", ` +
          'which is not a Multiplication tables check outcome (a mark from 0 to 25, or A, L, Z, ' +
          'U, B, J, NAA, Q, H or X). It was kept as written for a subject leader to map; if it ' +
          'is a typing error, ask the school that made the CTF to correct it.',
      },
      {
        row: 223,
        field: 'StageAssessment/Result',
        code: 'outcome_unknown',
        message:
          `Pupil ${seventh!.upn}: the KS2 Writing TA result for 2025 is "EXP", which is not a ` +
          'KS2 teacher assessment outcome (GDS, EXS, WTS, HNM, BLW, EM, PK1-PK6, PKF, PKE, PKG, ' +
          'A, D, L, F, P or NOTSEN). It was kept as written for a subject leader to map; if it ' +
          'is a typing error, ask the school that made the CTF to correct it.',
      },
    ]);
  });

  it('keeps unknown outcomes as written, and leaves unlisted assessments unchecked', async () => {
    const outcome = await pullCtf(fixture('unknown-codes.xml'));
    const values = new Map(outcome.results.map((r) => [`${r.pupilExternalId} ${r.aspect.key}`, r]));

    expect(values.get(`${seventh!.upn} KS2/ENG/TA/WRI`)?.value).toBe('EXP');
    expect(values.get(`${fifth!.upn} KS2/MAT/TT/MTC#MT`)?.value).toBe('26');
    expect(values.get(`${first!.upn} KS9/ZZZ/QQ/-`)).toEqual({
      externalId: `${first!.upn}/KS9/ZZZ/QQ/-/2025`,
      pupilExternalId: first!.upn,
      aspect: { key: 'KS9/ZZZ/QQ/-', name: 'KS9 ZZZ QQ', gradeSet: 'KS9 QQ' },
      value: 'Q7',
      assessedOn: null,
      periodLabel: 'KS9 Summer 2025',
      modifiedAt: null,
    });
    expect(outcome.results).toHaveLength(expectedResults(SMALL).length + 1);
  });

  it('leaves the unknown sex and SEN status blank, the rest as written', async () => {
    const pupils = pupilsOf(await pullCtf(fixture('unknown-codes.xml')));

    expect(pupils.get(third!.upn)).toEqual({ ...expectedPupil(third!), sex: null });
    expect(pupils.get(fourth!.upn)).toEqual({ ...expectedPupil(fourth!), senStatus: null });
  });
});

describe('stage assessments and headers that are odd but readable', () => {
  const y6 = SMALL.school.pupils.find((pupil) => pupil.ncYear === 'Y6')!;
  const writing = new RegExp(
    '<StageAssessment><Locale>ENG</Locale><Year>2025</Year><Subject>ENG</Subject>' +
      '<Method>TA</Method><Component>WRI</Component>.*?</StageAssessment>',
  );

  it('keeps the first of two different results for one assessment, and says so', async () => {
    const pupil = pupilXml(SMALL, y6);
    const given = writing.exec(pupil)![0];
    const first = /<Result>(\w+)</.exec(given)![1];
    const other = first === 'GDS' ? 'WTS' : 'GDS';
    const twice = pupil.replace(
      given,
      `${given}${given.replace(/<Result>\w+</, `<Result>${other}<`)}`,
    );

    const outcome = await pullCtf(upload('twice.xml', ctfHeader(SMALL) + twice + CTF_FOOTER));

    expect(problemsOf(outcome).map((p) => [p.code, p.message])).toEqual([
      [
        'assessment_repeated',
        `Pupil ${y6.upn}: KS2 Writing TA for KS2 Summer 2025 is given twice, as "${first}" and ` +
          `"${other}"; the first was kept. Ask the school that made the CTF which is right.`,
      ],
    ]);
    expect(outcome.results.filter((r) => r.aspect.key === 'KS2/ENG/TA/WRI')).toHaveLength(1);
  });

  it('leaves out an assessment with no year, which could not be told from the others', async () => {
    const pupil = pupilXml(SMALL, y6)
      .replace(/(Component>WRI<\/Component>)/, '$1')
      .replace(
        '<Year>2025</Year><Subject>ENG</Subject><Method>TA</Method><Component>WRI',
        '<Subject>ENG</Subject><Method>TA</Method><Component>WRI',
      );
    const outcome = await pullCtf(upload('no-year.xml', ctfHeader(SMALL) + pupil + CTF_FOOTER));

    expect(problemsOf(outcome).map((p) => [p.code, p.message])).toEqual([
      [
        'assessment_incomplete',
        `Pupil ${y6.upn}: a stage assessment has no Year, so it cannot be told apart from the ` +
          "pupil's other results and was not read. Ask the school that made the CTF for a " +
          'fresh export.',
      ],
    ]);
    expect(outcome.results.some((r) => r.aspect.key === 'KS2/ENG/TA/WRI')).toBe(false);
  });

  it('counts Ever 6 back from today when the header has no date, and says so', async () => {
    const header = ctfHeader(SMALL).replace(/<DateTime>[^<]*<\/DateTime>/, '');
    const outcome = await pullCtf(upload('undated.xml', header + pupilXml(SMALL, y6) + CTF_FOOTER));

    expect(problemsOf(outcome)).toEqual([
      {
        row: null,
        field: 'Header/DateTime',
        code: 'ctf_date_invalid',
        message:
          'The header has no DateTime, where a CTF writes YYYY-MM-DDThh:mm:ss, so disadvantage ' +
          "(Ever 6 FSM) was counted back from today's date instead of the date the file was made.",
      },
    ]);
    expect(outcome.pupils).toHaveLength(1);
  });

  it('reads pupils with no header at all, their statuses unknown where not given', async () => {
    const bare = `<CTfile><CTFpupilData>${pupilXml(SMALL, first!)}</CTFpupilData></CTfile>`;

    const outcome = await pullCtf(upload('bare.xml', bare));

    expect(outcome.problems.map((p) => p.code)).toEqual(['ctf_header_missing']);
    expect(outcome.pupils).toEqual([
      {
        ...expectedPupil(first!),
        onRollFrom: null,
        senStatus: first!.senStatus === 'N' ? null : first!.senStatus,
        disadvantaged: first!.disadvantaged ? true : null,
      },
    ]);
  });
});
