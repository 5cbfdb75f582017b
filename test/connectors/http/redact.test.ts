import { describe, expect, it } from 'vitest';
import { excerpt } from '../../../src/connectors/http/body.ts';
import { headerSecrets, redactText, redactUrl } from '../../../src/connectors/http/redact.ts';

describe('redaction', () => {
  it('replaces userinfo and credential query values, keeping the rest of the URL', () => {
    const url =
      'https://user:pa55word@api.assembly.education/results' +
      '?page=2&access_token=abc&api_key=k1&Signature=s';

    expect(redactUrl(url)).toBe(
      'https://REDACTED:REDACTED@api.assembly.education/results' +
        '?page=2&access_token=REDACTED&api_key=REDACTED&Signature=REDACTED',
    );
  });

  it('replaces a known secret wherever it is in the URL, even percent-encoded', () => {
    const secret = 'se/cret+token';
    const url = `https://x.uk.arbor.sc/files/${encodeURIComponent(secret)}/ctf.zip`;

    expect(redactUrl(url, [secret])).toBe('https://x.uk.arbor.sc/files/REDACTED/ctf.zip');
  });

  it('replaces bearer tokens, credential JSON fields and JSON-escaped secrets in text', () => {
    const text =
      'Authorization: Bearer eyJhbGciOi.J9x_y-z~ ' +
      '{"access_token":"at-1","code":"E42"} "p\\/q-secret"';

    expect(redactText(text, ['p/q-secret'])).toBe(
      'Authorization: Bearer REDACTED {"access_token":"REDACTED","code":"E42"} "REDACTED"',
    );
  });

  it('finds the token inside a Wonde Basic header, whose user is the token', () => {
    const header = `Basic ${Buffer.from('wonde-token-1:').toString('base64')}`;

    expect(headerSecrets(header)).toContain('wonde-token-1');
  });

  it('redacts before cutting the excerpt, so no fragment of a secret survives', () => {
    const body = { text: `${'a'.repeat(295)}abcdef-token-value`, cut: false };

    expect(excerpt(body, ['abcdef-token-value'])).toBe(`${'a'.repeat(295)}REDACTED`.slice(0, 300));
  });
});
