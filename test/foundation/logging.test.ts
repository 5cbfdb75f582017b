import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('the process log', () => {
  it('censors pupil names and dates of birth wherever a caller puts them', () => {
    const { logger, lines } = capture();
    logger.info(
      { pupil: { firstName: 'Amara', lastName: 'Okafor', dateOfBirth: '2020-03-14' } },
      'x',
    );
    logger.info({ firstName: 'Tomasz', lastName: 'Nowak' }, 'y');
    const text = lines.join('');
    for (const secret of ['Amara', 'Okafor', '2020-03-14', 'Tomasz', 'Nowak']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('censors tokens, secrets and credentials in headers', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        token: 'wonde-live-4f9a8c1e2d3b',
        source: { secrets: { clientSecret: 'assembly-s3cr3t' } },
        req: { headers: { authorization: 'Bearer nss_abcdef', cookie: 'nss_session=zzz' } },
      },
      'request',
    );
    const text = lines.join('');
    for (const secret of ['wonde-live', 'assembly-s3cr3t', 'nss_abcdef', 'nss_session=zzz']) {
      expect(text).not.toContain(secret);
    }
  });
});
