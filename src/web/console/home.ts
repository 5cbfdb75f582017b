import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth.ts';
import { emptyState } from '../views/components.ts';
import { phaseLabel } from '../views/labels.ts';
import { overviewView } from '../views/overview.ts';
import type { Health } from '../views/status.ts';
import { collectionChoices, collectionQuery, pickCollection } from './choices.ts';
import { schoolHealth, sourceHealth } from './health.ts';
import { progressCells, progressOfSchools } from './progress.ts';
import {
  activeSubjects,
  type School,
  schoolsInScope,
  sourceStatesOfSchools,
  termlyCollections,
} from './queries.ts';
import { type Site, sendPage, sendRedirect } from './respond.ts';
import { homeFor } from './shell.ts';

/**
 * Home: the trust overview for the trust's people (analysts, admins, viewers), every school they
 * can see against every subject; a school's staff go straight to their school's work.
 */

export function homeRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  app.get('/', async (request, reply) => {
    const principal = principalOf(request);
    const home = homeFor(principal);
    if (home) return sendRedirect(request, reply, home);

    const query = collectionQuery.parse(request.query);
    const all = await termlyCollections(db);
    const collection = pickCollection(all, site.context.clock.today(), query.collection ?? null);
    if (!collection) {
      const main = emptyState('No collections yet', 'A trust admin sets up the school year first.');
      return sendPage(site, request, reply, { title: 'Overview', main });
    }
    const schools = await schoolsInScope(db, principal);
    const healths = await schoolHealths(site, schools);
    const subjects = await activeSubjects(db);
    const tallies = await progressOfSchools(
      db,
      schools.map((school) => school.id),
      collection.id,
      subjects,
    );
    const rows = schools.map((school) => {
      const health = healths.get(school.id)!;
      const tally = tallies.get(school.id) ?? { onRoll: 0, subjects: [] };
      return {
        id: school.id,
        name: school.name,
        phase: phaseLabel(school.phase, school.setting),
        health,
        cells: progressCells(tally, school.id, collection.id, subjects, health.syncing),
      };
    });
    const main = overviewView({
      collections: collectionChoices(all),
      collection,
      subjects,
      schools: rows,
      now: site.context.clock.now(),
    });
    return sendPage(site, request, reply, { title: `Overview: ${collection.label}`, main });
  });
}

/** Each school's sync health, from its sources' runs. */
export async function schoolHealths(site: Site, schools: readonly School[]) {
  const sources = await sourceStatesOfSchools(
    site.db,
    schools.map((school) => school.id),
  );
  const now = site.context.clock.now();
  const bySchool = new Map<string, Health[]>(schools.map((school) => [school.id, []]));
  for (const source of sources) {
    bySchool.get(source.schoolId)?.push(sourceHealth(source.state, source.paused, now));
  }
  return new Map([...bySchool].map(([id, healths]) => [id, schoolHealth(healths)]));
}
