import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canAdminister } from '../../access/principal.ts';
import { principalOf } from '../auth.ts';
import { requireThat } from '../scope.ts';
import { auditView } from '../views/audit.ts';
import { auditPage } from './queries.ts';
import { type Site, sendPage } from './respond.ts';

/** The audit log, for trust admins only: newest first, a page at a time. */

const PAGE_SIZE = 50;

export function auditRoutes(app: FastifyInstance, site: Site) {
  app.get('/audit', async (request, reply) => {
    const principal = principalOf(request);
    requireThat(canAdminister(principal), 'Only a trust admin can read the audit log.');
    const { page } = z
      .object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) })
      .parse(request.query);
    const found = await auditPage(site.db, page, PAGE_SIZE);
    const main = auditView({
      entries: found.slice(0, PAGE_SIZE).map((entry) => ({
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        entity: `${entry.entityType} ${entry.entityId}`,
        school: entry.school,
        details: describeDetails(entry.details),
      })),
      page,
      hasNext: found.length > PAGE_SIZE,
    });
    return sendPage(site, request, reply, { title: 'Audit log', main });
  });
}

/** "version: 2 · reason: Agreed at the PLC": the details as a person reads them. */
function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
