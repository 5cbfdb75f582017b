import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { buildTemplate } from '../../connectors/spreadsheet/index.ts';
import { collections } from '../../db/schema.ts';
import { queueUpload } from '../../sync/worker.ts';
import { principalOf } from '../auth.ts';
import { requireThat, visibleSchool, visibleSource } from '../scope.ts';
import {
  type UploadFormContext,
  type UploadSource,
  uploadForm,
  uploadView,
} from '../views/upload.ts';
import { collectionChoices, kindInfo } from './choices.ts';
import { activeSubjects, sourcesOf, termlyCollections, uploadRuns } from './queries.ts';
import { csrfOf, isFragment, prepare, type Site, sendPage, sendRedirect } from './respond.ts';

/**
 * Uploads for a school's file sources: the form (multipart through htmx, so the CSRF header goes
 * with it), which queues a run and then shows that run's page, and the trust template.
 */

const schoolParams = z.object({ schoolId: z.string() });
const sourceParams = z.object({ sourceId: z.string() });
const RECENT = 10;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMATS: Record<string, { accept: string; words: string }> = {
  spreadsheet: { accept: `.csv,.xlsx,text/csv,${XLSX}`, words: 'CSV or XLSX' },
  ctf: { accept: '.xml,text/xml,application/xml', words: 'A CTF .xml file' },
};

interface Received {
  /** The fields sent before the file (all of them, when it was read whole). */
  fields: Record<string, string>;
  file: { fileName: string; bytes: Buffer; contentType: string } | null;
  tooLarge: boolean;
}

export function uploadRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;
  const maxMegabytes = megabytes(site);
  const formContext = (request: FastifyRequest, schoolId: string) =>
    uploadFormContext(site, request, schoolId);

  app.get('/schools/:schoolId/uploads', async (request, reply) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    const fileSources = (await sourcesOf(db, [school.id])).filter(
      (source) => kindInfo(source.kind).transport === 'file',
    );
    const runs = await uploadRuns(db, school.id, RECENT);
    const main = uploadView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: `/schools/${school.id}`, label: school.name },
        { href: null, label: 'Uploads' },
      ],
      school: { id: school.id, name: school.name },
      sources: fileSources.map((source) => uploadSource(source, null)),
      runs,
      ...(await formContext(request, school.id)),
    });
    return sendPage(site, request, reply, { title: `Uploads: ${school.name}`, main });
  });

  app.post('/sources/:sourceId/uploads', async (request, reply) => {
    const principal = principalOf(request);
    const { sourceId } = sourceParams.parse(request.params);
    const source = await visibleSource(db, principal, sourceId);
    requireThat(
      canManageSources(principal, source.schoolId),
      "Only the school's data lead or a trust admin can upload files.",
    );
    const kind = kindInfo(source.kind);
    if (kind.transport !== 'file') {
      const context = await formContext(request, source.schoolId);
      const error = 'This source pulls from the school system: it takes no uploads.';
      return sendUploadError(site, request, reply, { source, context, error, status: 409 });
    }
    const received = await receive(request);
    const collectionId = await chosenCollection(
      site,
      source.schoolId,
      received.fields.collectionId,
    );
    // The form comes back with its collection still chosen, so a retry lands where this would.
    const context = {
      ...(await formContext(request, source.schoolId)),
      selectedCollection: collectionId === null ? null : String(collectionId),
    };
    const refuse = (error: string, status: number) =>
      sendUploadError(site, request, reply, { source, context, error, status });

    if (received.tooLarge) {
      return refuse(
        `The file is larger than ${maxMegabytes} MB. Split it and upload each part.`,
        413,
      );
    }
    const { file } = received;
    if (!file || file.bytes.length === 0) {
      return refuse('Choose the file to upload first.', 422);
    }
    try {
      const run = await queueUpload(
        db,
        actorOf(principal),
        source,
        {
          fileName: file.fileName,
          bytes: file.bytes,
          contentType: file.contentType,
          collectionId,
        },
        site.context.config.rawRetentionDays,
      );
      return sendRedirect(request, reply, `/runs/${run.id}`);
    } catch (error) {
      return refuse((error as Error).message, 409);
    }
  });

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(`/template/return.${format}`, async (_request, reply) => {
      const subjects = await activeSubjects(db);
      const bytes = await buildTemplate({ format, layout: 'wide', subjects });
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX)
        .header('Content-Disposition', `attachment; filename="nexus-mat-return.${format}"`)
        .send(bytes);
    });
  }
}

/** What every upload form of a school needs: where results may land, and who may upload. */
export async function uploadFormContext(
  site: Site,
  request: FastifyRequest,
  schoolId: string,
): Promise<UploadFormContext> {
  return {
    collections: await uploadCollections(site, schoolId),
    canUpload: canManageSources(principalOf(request), schoolId),
    csrf: csrfOf(request),
    maxMegabytes: megabytes(site),
  };
}

function megabytes(site: Site): number {
  return Math.round(site.context.config.maxUploadBytes / 1_048_576);
}

/** A file source as its upload form shows it. */
export function uploadSource(
  source: { id: string; name: string; kind: string },
  error: string | null,
): UploadSource {
  const format = FORMATS[source.kind];
  return {
    id: source.id,
    name: source.name,
    kindLabel: kindInfo(source.kind).label,
    accept: format?.accept ?? '',
    formats: format?.words ?? 'The file',
    error,
  };
}

/** Reads the multipart body: the one file and the fields beside it. */
async function receive(request: FastifyRequest): Promise<Received> {
  const received: Received = { fields: {}, file: null, tooLarge: false };
  if (!request.isMultipart()) return received;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        received.file = { fileName: part.filename, bytes, contentType: part.mimetype };
      } else if (typeof part.value === 'string') {
        received.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
    received.tooLarge = true;
  }
  return received;
}

/** Termly collections, and the school's own baseline where it has one (8.3). */
async function uploadCollections(site: Site, schoolId: string) {
  const termly = collectionChoices(await termlyCollections(site.db));
  const baselines = await site.db
    .select({ id: collections.id, label: collections.label })
    .from(collections)
    .where(and(eq(collections.schoolId, schoolId), eq(collections.kind, 'baseline')));
  return [
    ...termly,
    ...baselines.map((baseline) => ({ value: String(baseline.id), label: baseline.label })),
  ];
}

async function chosenCollection(site: Site, schoolId: string, chosen: string | undefined) {
  if (!chosen) return null;
  const allowed = await uploadCollections(site, schoolId);
  return allowed.some((option) => option.value === chosen) ? Number(chosen) : null;
}

interface UploadError {
  source: { id: string; name: string; kind: string };
  context: UploadFormContext;
  error: string;
  status: number;
}

async function sendUploadError(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  failure: UploadError,
) {
  const form = uploadForm(uploadSource(failure.source, failure.error), failure.context);
  if (isFragment(request)) {
    prepare(reply, failure.status);
    return reply.send(form);
  }
  return sendPage(site, request, reply, { title: 'Upload', main: form, status: failure.status });
}
