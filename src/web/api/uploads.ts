import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import { connectorKind } from '../../connectors/registry.ts';
import type { ServiceContext } from '../../context.ts';
import { queueUpload } from '../../sync/worker.ts';
import { HttpError } from '../errors.ts';
import { collectionForSchool, requireThat, visibleSource } from '../scope.ts';
import { route } from './route.ts';

export function uploadRoutes(context: ServiceContext) {
  const { db } = context.database;
  return [
    route({
      method: 'POST',
      path: '/sources/:sourceId/uploads',
      summary: 'Upload a spreadsheet, CTF or OneRoster zip (multipart field "file"); queues a run',
      tag: 'runs',
      status: 202,
      params: z.object({ sourceId: z.string() }),
      query: z.object({ collectionId: z.coerce.number().int().optional() }),
      handler: async ({ principal, params, query, request }) => {
        const source = await visibleSource(db, principal, params.sourceId);
        requireThat(canManageSources(principal, source.schoolId), 'Only data leads upload files.');
        if (connectorKind(source.kind)?.transport !== 'file') {
          throw new HttpError(400, 'not_a_file_source', 'This source pulls from a system.');
        }
        if (query.collectionId !== undefined) {
          await collectionForSchool(db, source.schoolId, query.collectionId);
        }
        const file = await request.file().catch(() => undefined);
        if (!file) throw new HttpError(400, 'file_missing', 'Attach the file as the "file" field.');
        const bytes = await file.toBuffer();
        if (file.file.truncated) {
          throw new HttpError(
            413,
            'file_too_large',
            `The file is larger than ${context.config.maxUploadBytes / 1_048_576} MB.`,
          );
        }
        const run = await queueUpload(
          db,
          actorOf(principal),
          source,
          {
            fileName: file.filename,
            bytes,
            contentType: file.mimetype,
            collectionId: query.collectionId ?? null,
          },
          context.config.rawRetentionDays,
        ).catch((error: Error) => {
          throw new HttpError(409, 'run_active', error.message);
        });
        return { run };
      },
    }),
  ];
}
