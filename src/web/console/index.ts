import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../context.ts';
import { assetRoutes } from './assets.ts';
import { auditRoutes } from './audit.ts';
import { conflictRoutes } from './conflicts.ts';
import { homeRoutes } from './home.ts';
import { missingRoutes } from './missing.ts';
import { onboardingRoutes } from './onboarding.ts';
import { installConsoleErrors, notFoundPage } from './problems.ts';
import { pupilRoutes } from './pupils.ts';
import { reportRoutes } from './reports.ts';
import { ruleRoutes } from './rules.ts';
import { runRoutes } from './runs.ts';
import { schoolRoutes } from './schools.ts';
import { sessionRoutes } from './session.ts';
import { sourceFormRoutes } from './source-form.ts';
import { sourceRoutes } from './sources.ts';
import { trustSchoolRoutes } from './trust-schools.ts';
import { unmappedRoutes } from './unmapped.ts';
import { uploadRoutes } from './uploads.ts';
import { userRoutes } from './users.ts';

/**
 * The web console: server-rendered pages for school data leads, subject leaders, trust analysts,
 * viewers and admins, enhanced with htmx. It does what the JSON API does through the same engine
 * functions. Its routes live in their own plugin so that their errors render as pages.
 */
export async function consoleRoutes(app: FastifyInstance, context: ServiceContext) {
  await app.register(async (instance) => {
    const assets = assetRoutes(instance);
    const site = { context, db: context.database.db, assets };
    installConsoleErrors(instance, site);
    sessionRoutes(instance, site);
    homeRoutes(instance, site);
    schoolRoutes(instance, site);
    trustSchoolRoutes(instance, site);
    onboardingRoutes(instance, site);
    sourceRoutes(instance, site);
    sourceFormRoutes(instance, site);
    runRoutes(instance, site);
    uploadRoutes(instance, site);
    unmappedRoutes(instance, site);
    ruleRoutes(instance, site);
    missingRoutes(instance, site);
    conflictRoutes(instance, site);
    pupilRoutes(instance, site);
    auditRoutes(instance, site);
    reportRoutes(instance, site);
    userRoutes(instance, site);
    notFoundPage(instance);
  });
}
