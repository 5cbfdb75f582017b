import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canManageSources } from '../../access/principal.ts';
import { listConflicts } from '../../sync/conflicts.ts';
import { unmappedValues } from '../../sync/reconcile.ts';
import { principalOf } from '../auth.ts';
import { visibleSchool } from '../scope.ts';
import { phaseLabel } from '../views/labels.ts';
import { schoolView } from '../views/school.ts';
import { collectionChoices, collectionQuery, kindInfo, pickCollection } from './choices.ts';
import { schoolHealth, sourceHealth } from './health.ts';
import { onboardingLink } from './onboarding.ts';
import { schoolProgress } from './progress.ts';
import { activeSubjects, runStates, sourcesOf, termlyCollections } from './queries.ts';
import { type Site, sendPage } from './respond.ts';

const schoolParams = z.object({ schoolId: z.string() });

/** A school's page: its sources with their health, and the collection's progress per subject. */
export function schoolRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  app.get('/schools/:schoolId', async (request, reply) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    const query = collectionQuery.parse(request.query);
    const all = await termlyCollections(db);
    const collection = pickCollection(all, site.context.clock.today(), query.collection ?? null);
    const now = site.context.clock.now();

    const sources = await sourcesOf(db, [school.id]);
    const states = await runStates(
      db,
      sources.map((source) => source.id),
    );
    const rows = sources.map((source) => {
      const kind = kindInfo(source.kind);
      const state = states.get(source.id)!;
      return {
        id: source.id,
        name: source.name,
        kindLabel: kind.label,
        transport: kind.transport,
        schedule: source.schedule,
        health: sourceHealth(state, source.paused, now),
        lastRunAt: state.latest?.startedAt ?? state.latest?.queuedAt ?? null,
      };
    });
    const health = schoolHealth(rows.map((row) => row.health));
    const subjects = await activeSubjects(db);
    const progress = collection
      ? await schoolProgress(db, school.id, collection.id, subjects, health.syncing)
      : null;
    const ownProposals = progress?.pendingRules.filter((rule) => rule.schoolId === school.id);
    const unmapped = await unmappedValues(db, school.id, null);
    const onboarding = await onboardingLink(db, principal, school);

    const main = schoolView({
      crumbs: [
        { href: '/', label: 'Home' },
        { href: null, label: school.name },
      ],
      school: {
        id: school.id,
        name: school.name,
        urn: school.urn,
        phase: phaseLabel(school.phase, school.setting),
      },
      collections: collectionChoices(all),
      collection: collection ?? { id: 0, label: 'no collection', date: '' },
      cells: progress?.cells ?? [],
      sources: rows,
      unmappedValues: unmapped.length,
      pendingDecisions: (progress?.pendingMappings ?? 0) + (ownProposals?.length ?? 0),
      openConflicts: (await listConflicts(db, school.id, 'open')).length,
      pupilsOnRoll: progress?.onRoll ?? 0,
      canManage: canManageSources(principal, school.id),
      onboarding,
      now,
    });
    return sendPage(site, request, reply, { title: school.name, main });
  });
}
