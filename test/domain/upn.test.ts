import { describe, expect, it } from 'vitest';
import { checkUpn, suggestUpnFix, upnCheckLetter } from '../../src/domain/upn.ts';

describe('checkUpn on the DfE test numbers', () => {
  it.each([
    ['H801200001001', 'permanent'],
    ['G80120000101A', 'temporary'],
    ['B801200005001', 'permanent'],
    ['R674123101121', 'permanent'],
    ['P207000016049', 'permanent'],
  ])('accepts %s as a %s UPN', (upn, kind) => {
    expect(checkUpn(upn)).toEqual({ ok: true, upn, kind });
  });

  it('rejects Z801200001001 because the rest of the number gives check letter H', () => {
    expect(checkUpn('Z801200001001')).toEqual({
      ok: false,
      code: 'upn_check_letter',
      reason:
        'UPN Z801200001001 starts with Z, but the rest of the number gives the check letter H; ' +
        "a character is probably mistyped, so compare it with the pupil's record.",
    });
  });

  it('rejects R900400001001 because 900 is not a local authority number', () => {
    expect(checkUpn('R900400001001')).toEqual({
      ok: false,
      code: 'upn_la_code',
      reason:
        'UPN R900400001001 has 900 in characters 2 to 4, which is not a DfE local authority ' +
        "number; compare it with the pupil's CTF or the records of the school that gave it.",
    });
  });
});

describe('checkUpn on pupils from across the trust', () => {
  it('accepts a Kent primary UPN allocated in 2019', () => {
    expect(checkUpn('B886203419123')).toEqual({
      ok: true,
      upn: 'B886203419123',
      kind: 'permanent',
    });
  });

  it('accepts a temporary UPN from a Somerset school', () => {
    expect(checkUpn('P93321302304K')).toEqual({
      ok: true,
      upn: 'P93321302304K',
      kind: 'temporary',
    });
  });

  it('accepts a UPN allocated in Wales, for a pupil who moved from Cardiff', () => {
    expect(checkUpn('H681203018044')).toMatchObject({ ok: true });
  });

  it('accepts a UPN from Bedfordshire, abolished in 2009, since a UPN keeps its LA number', () => {
    expect(checkUpn('J820210006011')).toMatchObject({ ok: true });
  });

  it('accepts a UPN from North Northamptonshire, created in 2021', () => {
    expect(checkUpn('Y940201022013')).toMatchObject({ ok: true });
  });

  it('accepts a UPN from a BFPO school overseas', () => {
    expect(checkUpn('G702300418006')).toMatchObject({ ok: true });
  });
});

describe('checkUpn problems', () => {
  it('reports an empty UPN as missing', () => {
    expect(checkUpn('')).toEqual({
      ok: false,
      code: 'upn_missing',
      reason: "The UPN is blank; enter the pupil's 13-character UPN from their record or CTF.",
    });
  });

  it('reports a UPN of only spaces as missing', () => {
    expect(checkUpn('   ')).toMatchObject({ ok: false, code: 'upn_missing' });
  });

  it('reports a leading space', () => {
    expect(checkUpn(' B886203419123')).toEqual({
      ok: false,
      code: 'upn_whitespace',
      reason:
        'UPN " B886203419123" starts with a space; remove the spaces so that only its 13 letters ' +
        'and digits are left.',
    });
  });

  it('reports a trailing space', () => {
    expect(checkUpn('B886203419123 ')).toEqual({
      ok: false,
      code: 'upn_whitespace',
      reason:
        'UPN "B886203419123 " ends with a space; remove the spaces so that only its 13 letters ' +
        'and digits are left.',
    });
  });

  it('reports spaces typed inside the number', () => {
    expect(checkUpn('B886 2034 19123')).toEqual({
      ok: false,
      code: 'upn_whitespace',
      reason:
        'UPN "B886 2034 19123" has a space inside it; remove the spaces so that only its 13 ' +
        'letters and digits are left.',
    });
  });

  it('reports a non-breaking space pasted from a spreadsheet', () => {
    expect(checkUpn('B886203419123\u00a0')).toMatchObject({ ok: false, code: 'upn_whitespace' });
  });

  it('reports lower-case letters and gives the capitalised form', () => {
    expect(checkUpn('b886203419123')).toEqual({
      ok: false,
      code: 'upn_lower_case',
      reason: 'UPN b886203419123 has lower-case letters; type it in capitals, as B886203419123.',
    });
  });

  it('reports a UPN one digit short', () => {
    expect(checkUpn('B88620341912')).toEqual({
      ok: false,
      code: 'upn_length',
      reason:
        'UPN B88620341912 has 12 characters; a UPN has 13: a letter followed by 12 digits, ' +
        'or by 11 digits and a letter for a temporary UPN.',
    });
  });

  it('reports a UPN one digit too long', () => {
    expect(checkUpn('B8862034191233')).toMatchObject({
      ok: false,
      code: 'upn_length',
      reason: expect.stringContaining('has 14 characters'),
    });
  });

  it('reports a letter O typed for a zero among the digits', () => {
    expect(checkUpn('B8862O3419123')).toEqual({
      ok: false,
      code: 'upn_excluded_letter',
      reason:
        'UPN B8862O3419123 has the letter O at character 6, where a digit belongs; ' +
        'it is probably a mistyped 0.',
    });
  });

  it('reports a letter I typed for a one among the digits', () => {
    expect(checkUpn('B886203419I23')).toMatchObject({
      ok: false,
      code: 'upn_excluded_letter',
      reason: expect.stringContaining('it is probably a mistyped 1.'),
    });
  });

  it('reports S as a check letter, since UPNs never use it', () => {
    expect(checkUpn('S886203419123')).toEqual({
      ok: false,
      code: 'upn_excluded_letter',
      reason:
        'UPN S886203419123 has the letter S at character 1; UPNs never use I, O or S, ' +
        "so compare it with the pupil's record.",
    });
  });

  it('reports a UPN that starts with a digit', () => {
    expect(checkUpn('8886203419123')).toEqual({
      ok: false,
      code: 'upn_first_character',
      reason:
        'UPN 8886203419123 starts with 8; a UPN starts with a capital check letter, ' +
        "so compare it with the pupil's record or CTF.",
    });
  });

  it('reports a letter among characters 2 to 12', () => {
    expect(checkUpn('B8862034A9123')).toEqual({
      ok: false,
      code: 'upn_not_numeric',
      reason:
        'UPN B8862034A9123 has A at character 9; characters 2 to 12 of a UPN are all digits, ' +
        "so compare it with the pupil's record.",
    });
  });

  it('reports a 13th character that is neither a digit nor a letter', () => {
    expect(checkUpn('B88620341912*')).toEqual({
      ok: false,
      code: 'upn_last_character',
      reason:
        'UPN B88620341912* ends with *; the 13th character of a UPN is a digit, ' +
        'or a capital letter for a temporary UPN.',
    });
  });

  it('reports two transposed digits through the check letter they imply', () => {
    expect(checkUpn('B886203491123')).toMatchObject({
      ok: false,
      code: 'upn_check_letter',
      reason: expect.stringContaining('gives the check letter T'),
    });
  });

  it('reports a wrong check letter on a temporary UPN', () => {
    expect(checkUpn('Q93321302304K')).toMatchObject({
      ok: false,
      code: 'upn_check_letter',
      reason: expect.stringContaining('gives the check letter P'),
    });
  });

  it('reports spaces before lower case when a UPN has both', () => {
    expect(checkUpn(' b886203419123')).toMatchObject({ code: 'upn_whitespace' });
  });
});

describe('suggestUpnFix', () => {
  it('offers the trimmed, capitalised UPN when that makes it valid', () => {
    expect(suggestUpnFix(' b886203419123 ')).toBe('B886203419123');
  });

  it('removes spaces typed inside the number', () => {
    expect(suggestUpnFix('B886 2034 19123')).toBe('B886203419123');
  });

  it('offers nothing for a UPN that is already valid', () => {
    expect(suggestUpnFix('B886203419123')).toBeNull();
  });

  it('offers nothing when the tidied UPN still has a wrong check letter', () => {
    expect(suggestUpnFix(' z801200001001')).toBeNull();
  });
});

describe('upnCheckLetter', () => {
  it('counts a temporary UPN’s final letter by its place in the 23-letter table', () => {
    expect(upnCheckLetter('80120000101A')).toBe('G');
  });

  it('refuses characters that cannot follow a check letter', () => {
    expect(() => upnCheckLetter('8012000010O1')).toThrow(RangeError);
  });
});
