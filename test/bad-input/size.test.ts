import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullContext, UploadedFile } from '../../src/connectors/contract.ts';
import { oneRosterCsvConnector } from '../../src/connectors/oneroster-csv/index.ts';
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/index.ts';
import { syncRuns } from '../../src/db/schema.ts';
import { buildApp } from '../../src/web/app.ts';
import { testContext, userWith } from '../support/app.ts';
import { type TestDatabase, testDatabase } from '../support/database.ts';
import { seedTrust } from '../support/fixtures.ts';
import { freshSource } from './helpers.ts';

// A 2 GB file is refused by its size before it is read: by the upload route, which stops
// reading at MAX_UPLOAD_MB, and by each file connector, which looks at the size first.

const TWO_GB = 2 * 1024 * 1024 * 1024;
const BOUNDARY = '----nexus-upload-boundary';
const SENT_AT_MOST = 16 * 1024 * 1024;

let database: TestDatabase;
let app: FastifyInstance;
let bigFile: string;

beforeAll(async () => {
  database = await testDatabase();
  await seedTrust(database.db);
  const context = testContext(database);
  app = await buildApp(
    { ...context, config: { ...context.config, maxUploadBytes: 1024 * 1024 } },
    { scheduler: false },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  // A sparse file: 2 GB long, with no byte of it on the disk.
  bigFile = join(mkdtempSync(join(tmpdir(), 'nss-bad-input-')), 'oakfield-autumn.csv');
  closeSync(openSync(bigFile, 'w'));
  truncateSync(bigFile, TWO_GB);
});
afterAll(async () => {
  app.server.closeAllConnections();
  await app.close();
  await database.close();
});

/** The sparse file as an upload, counting how often it is opened. */
function sparseUpload(fileName: string) {
  const upload = {
    opened: 0,
    file: {
      fileName,
      byteSize: statSync(bigFile).size,
      open: () => {
        upload.opened += 1;
        return createReadStream(bigFile);
      },
    } satisfies UploadedFile,
  };
  return upload;
}

function pullContext<Config>(config: Config, file: UploadedFile): PullContext<Config, never> {
  return {
    config,
    secrets: {} as never,
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file,
    signal: new AbortController().signal,
    log: () => {},
  };
}

/** Posts a multipart upload that says it is 2 GB, sending until the server answers. */
function postTwoGigabytes(path: string, token: string, withinMs: number) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; ` +
      'filename="oakfield-autumn.csv"\r\nContent-Type: text/csv\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 'A');
  const { port } = app.server.address() as AddressInfo;
  return new Promise<{ status: number; body: unknown; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': head.length + TWO_GB + tail.length,
        },
      },
      async (answer) => {
        answered = true;
        const chunks: Buffer[] = [];
        for await (const part of answer) chunks.push(part as Buffer);
        outgoing.destroy();
        resolve({
          status: answer.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          sent,
        });
      },
    );
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    const timer = setTimeout(() => {
      answered = true;
      outgoing.destroy();
      reject(new Error(`no answer within ${withinMs} ms, after ${sent} bytes`));
    }, withinMs);
    outgoing.once('close', () => clearTimeout(timer));
    outgoing.write(head);
    const pump = () => {
      // A server that refuses by size answers long before this; one that reads on never will.
      while (!answered && sent < SENT_AT_MOST) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe('a 2 GB file', () => {
  it('is refused by the upload route before it is read, and queues no run', async () => {
    const source = await freshSource(database, 'spreadsheet');
    const lead = await userWith(database, 'Dana Whitfield', [
      { role: 'school_data_lead', schoolId: source.schoolId, subjectId: null },
    ]);
    const answer = await postTwoGigabytes(`/api/v1/sources/${source.id}/uploads`, lead.token, 2000);

    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({
      error: { code: 'file_too_large', message: 'The file is larger than 1 MB.' },
    });
    const runs = await database.db.select().from(syncRuns).where(eq(syncRuns.sourceId, source.id));
    expect(runs).toEqual([]);
  });

  it('is refused by the spreadsheet connector by its size, without being opened', async () => {
    const upload = sparseUpload('oakfield-autumn.csv');
    const pull = spreadsheetConnector.pull(
      pullContext(spreadsheetConnector.configSchema.parse({}), upload.file),
    );
    const first = await pull.next();

    expect(first.done).toBe(false);
    expect(first.done ? [] : first.value.problems).toEqual([
      {
        location: 'oakfield-autumn.csv',
        row: null,
        field: null,
        code: 'file_too_large',
        message:
          '"oakfield-autumn.csv" is larger than 20 MB, far more than a school\'s return needs. ' +
          'Delete other worksheets and columns, or save it as CSV, and upload it again.',
      },
    ]);
    expect(upload.opened).toBe(0);
  });

  it('is refused by the OneRoster connector by its size, without being opened', async () => {
    const upload = sparseUpload('oakfield-oneroster.zip');
    const pull = oneRosterCsvConnector.pull(
      pullContext(oneRosterCsvConnector.configSchema.parse({}), upload.file),
    );

    await expect(pull.next()).rejects.toMatchObject({
      category: 'bad_data',
      message:
        '"oakfield-oneroster.zip" is larger than 200 MB, far more than a OneRoster export for ' +
        "one school. Check it is the school's export, and export one school at a time.",
    });
    expect(upload.opened).toBe(0);
  });
});
