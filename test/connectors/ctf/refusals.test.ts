import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CtfFileError, ctfConnector } from '../../../src/connectors/ctf/index.ts';
import { SMALL } from './fixtures/make-fixtures.ts';
import { config, fixture, pullCtf, upload } from './helpers/ctf.ts';
import { CTF_FOOTER, ctfHeader, pupilXml } from './helpers/ctf-xml.ts';
import { expectedResults } from './helpers/expected.ts';

/** What the run would store about the failure. */
async function failureOf(file: Parameters<typeof pullCtf>[0]) {
  const outcome = await pullCtf(file);
  expect(outcome.error).toBeInstanceOf(CtfFileError);
  const { category, code, message } = outcome.error as CtfFileError;
  return { category, code, message, pupils: outcome.pupils.length };
}

const ONE_PUPIL = ctfHeader(SMALL) + pupilXml(SMALL, SMALL.school.pupils[0]!) + CTF_FOOTER;

describe('a file that is not a CTF', () => {
  it('refuses XML whose root is not <CTfile>, naming the root it found', async () => {
    expect(await failureOf(fixture('wrong-root.xml'))).toEqual({
      category: 'bad_data',
      code: 'ctf_wrong_root',
      message:
        '"wrong-root.xml" is XML but not a Common Transfer File: its root element is <CTF>, ' +
        "where a CTF has <CTfile>. Export a CTF from the school's MIS (or download it from " +
        'S2S) and upload that file.',
      pupils: 0,
    });
  });

  it('refuses an Admissions Transfer File, which holds no results', async () => {
    const atf =
      '<?xml version="1.0"?><ATfile><Header><ATFversion>25.0</ATFversion></Header></ATfile>';

    expect(await failureOf(upload('admissions.xml', atf))).toMatchObject({
      code: 'ctf_wrong_root',
      message:
        '"admissions.xml" is an Admissions Transfer File (its root element is <ATfile>), ' +
        'which carries no assessment results. Upload the Common Transfer File (CTF) instead.',
    });
  });

  it('refuses a saved web page', async () => {
    const page = '<!DOCTYPE html>\n<html><body>Please sign in</body></html>';

    expect(await failureOf(upload('ctf.xml', page))).toMatchObject({
      category: 'bad_data',
      code: 'ctf_wrong_root',
      message: expect.stringContaining('is a web page, not a Common Transfer File'),
    });
  });

  it('refuses a spreadsheet saved as CSV', async () => {
    expect(await failureOf(upload('pupils.csv', 'UPN,Surname\nA123,Smith\n'))).toEqual({
      category: 'bad_data',
      code: 'ctf_not_xml',
      message:
        '"pupils.csv" is not XML, so it is not a Common Transfer File (a CTF starts with "<"). ' +
        'It may be a spreadsheet or a PDF: upload the .xml file that the MIS or S2S gives you.',
      pupils: 0,
    });
  });

  it('refuses a zipped or gzipped CTF, asking for the .xml inside', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000)]);

    for (const file of [upload('ctf.zip', zip), upload('ctf.xml.gz', gzipSync(ONE_PUPIL))]) {
      expect(await failureOf(file)).toMatchObject({
        code: 'ctf_zipped',
        message:
          `"${file.fileName}" is a compressed archive, not the CTF itself. Extract the .xml ` +
          'file from it and upload that.',
      });
    }
  });

  it('refuses an empty file and one of blank lines', async () => {
    for (const body of ['', '\n  \n\t\n']) {
      expect(await failureOf(upload('empty.xml', body))).toEqual({
        category: 'bad_data',
        code: 'ctf_empty',
        message: `"empty.xml" is empty. Export the CTF from the school's MIS again and upload it.`,
        pupils: 0,
      });
    }
  });

  it('refuses a text encoding it cannot read', async () => {
    const xml = ONE_PUPIL.replace('encoding="utf-8"', 'encoding="x-klingon"');

    expect(await failureOf(upload('ctf.xml', xml))).toMatchObject({
      code: 'ctf_encoding_unknown',
      message:
        '"ctf.xml" says its text is in the "x-klingon" encoding, which we cannot read. A CTF ' +
        'is UTF-8: export it from the MIS again.',
    });
  });

  it('fails as a settings problem when no file was uploaded', async () => {
    const outcome = await pullCtf(null as never);

    expect(outcome.error).toMatchObject({
      category: 'config',
      code: 'file_missing',
      message:
        'No CTF has been uploaded for this source. Upload the CTF .xml file and run it again.',
    });
  });

  it('reports a CTF with no pupils as a problem, for the engine to refuse it by', async () => {
    const outcome = await pullCtf(upload('none.xml', ctfHeader(SMALL) + CTF_FOOTER));

    expect(outcome.problems.map((problem) => [problem.code, problem.message])).toEqual([
      [
        'ctf_no_pupils',
        '"none.xml" is a CTF with no pupils in it. Check that the export from the MIS selected ' +
          'the pupils, and upload it again.',
      ],
    ]);
    expect(outcome.summary).toEqual({ complete: true, cursor: {} });
  });
});

describe('text encodings', () => {
  it('reads a file that declares Windows-1252, as older MIS exports do', async () => {
    const pupil = SMALL.school.pupils[0]!;
    const xml = ONE_PUPIL.replace('encoding="utf-8"', 'encoding="windows-1252"').replace(
      `<Forename>${pupil.firstName}</Forename>`,
      '<Forename>Zoë</Forename>',
    );

    const outcome = await pullCtf(upload('ctf.xml', iconv.encode(xml, 'win1252')));

    expect(outcome.pupils.map((p) => p.firstName)).toEqual(['Zoë']);
  });

  it('reads a file that arrives in tiny pieces, splitting letters of several bytes', async () => {
    const pupil = SMALL.school.pupils[0]!;
    const bytes = Buffer.from(
      ONE_PUPIL.replace(
        `<Forename>${pupil.firstName}</Forename>`,
        '<Forename>Zoë Łucja</Forename>',
      ),
    );
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.subarray(i * 7, i * 7 + 7),
    );
    const file = { fileName: 'ctf.xml', byteSize: bytes.length, open: () => Readable.from(pieces) };

    const outcome = await pullCtf(file);

    expect(outcome.pupils.map((p) => p.firstName)).toEqual(['Zoë Łucja']);
    expect(outcome.results).toHaveLength(expectedResults(SMALL, [pupil]).length);
  });

  it('reads UTF-16 with a byte order mark, and UTF-8 with one', async () => {
    const utf16 = iconv.encode(ONE_PUPIL.replace('utf-8', 'utf-16'), 'utf16le', { addBOM: true });
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ONE_PUPIL)]);

    for (const bytes of [utf16, utf8]) {
      const outcome = await pullCtf(upload('ctf.xml', bytes));
      expect(outcome.pupils).toHaveLength(1);
      expect(outcome.problems).toEqual([]);
    }
  });
});

describe('the connection check and cancelling', () => {
  it('needs no connection and says the file is checked when it is read', async () => {
    const checked = await ctfConnector.check({
      config: config(),
      secrets: {},
      signal: new AbortController().signal,
    });

    expect(checked).toEqual({
      ok: true,
      category: null,
      message:
        'A CTF source needs no connection: the school uploads the CTF its MIS exports (or ' +
        'that S2S delivers), and the file is checked when it is read.',
      details: {},
    });
  });

  it('stops between pages when the run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();

    const outcome = await pullCtf(fixture('primary.xml'), { signal: controller.signal });

    expect(outcome.checkpoints).toEqual([]);
    expect(outcome.error).toMatchObject({ category: 'transient', code: 'aborted' });
  });
});
