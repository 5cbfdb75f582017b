import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTargets } from '../../../src/reports/targets.ts';
import { buildDataset, type Dataset } from '../../reports/dataset.ts';
import { PASSWORD, type TestUser, testApp, userWith } from '../../support/app.ts';
import { ANALYST } from '../../support/engine.ts';
import { ROOT } from '../../support/process.ts';

/**
 * The reports in a real browser: the school dashboard, the trust summary and the Standards
 * Report, each saved as a screenshot, and the Standards Report as the printer would lay it out.
 * Skipped with a message where Chromium is missing, except in CI.
 */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };

const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!runnable) console.warn(`Skipping the reports browser tests: no Chromium at ${CHROMIUM}.`);

describe.skipIf(!runnable)('the reports in a browser', () => {
  let dataset: Dataset;
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let analyst: TestUser;
  let lead: TestUser;
  const blocked: string[] = [];

  beforeAll(async () => {
    dataset = await buildDataset();
    analyst = await userWith(dataset.database, 'Priya Shah', [
      { role: 'trust_analyst', schoolId: null, subjectId: null },
    ]);
    lead = await userWith(dataset.database, 'Jo Whitfield', [
      { role: 'school_data_lead', schoolId: dataset.oakfield, subjectId: null },
    ]);
    await saveTargets(dataset.database.db, ANALYST, {
      schoolId: dataset.oakfield,
      startYear: 2026,
      today: '2026-12-03',
      via: 'form',
      changes: [
        { pupilId: dataset.pupil.Hana!, subjectId: dataset.maths, value: 'NX7' },
        { pupilId: dataset.pupil.Ian!, subjectId: dataset.maths, value: 'NX7' },
        { pupilId: dataset.pupil.Ava!, subjectId: dataset.maths, value: 'NX9' },
        { pupilId: dataset.pupil.Ben!, subjectId: dataset.maths, value: 'NX9' },
        { pupilId: dataset.pupil.Maya!, subjectId: null, value: 'expected_to_pass' },
      ],
    });
    app = await testApp(dataset.database);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    profile = mkdtempSync(path.join(tmpdir(), 'nss-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: DESKTOP,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) blocked.push(message.text());
    });
    page.on('pageerror', (error) => blocked.push(error.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await dataset?.database.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function signIn(user: TestUser, next: string) {
    await context.clearCookies();
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('networkidle');
  }

  /** The top of the page, readable at a glance, and the whole page beside it. */
  async function shoot(name: string) {
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    const clip = { x: 0, y: 0, width: DESKTOP.width, height: Math.min(height, 2400) };
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, clip });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-full.png`), fullPage: true });
  }

  it("shows a school's dashboard to its data lead, from the navigation", async () => {
    await signIn(lead, '/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Reports' })
      .click();
    await page.locator('h1', { hasText: 'Autumn 2026/27' }).waitFor();
    expect(page.url()).toContain(`/reports/schools/${dataset.oakfield}`);
    const grid = page.getByRole('region', {
      name: /^Mathematics: pupils at each Next Steps point/,
    });
    await expect(grid.textContent()).resolves.toContain('11 pupils counted');
    await expect(page.locator('#groups').textContent()).resolves.toContain(
      'suppressed (fewer than 5)',
    );
    expect(await page.locator('svg.report-chart').count()).toBeGreaterThan(6);
    await shoot('reports-school');
    expect(blocked).toEqual([]);
  });

  it("fetches a subject's pupils when the reader opens them, a pupil who moved down as they are", async () => {
    await signIn(lead, `/reports/schools/${dataset.oakfield}`);
    await page.locator('h1', { hasText: 'Autumn 2026/27' }).waitFor();
    const maths = page.locator('details', { hasText: 'Mathematics: each pupil' });
    await maths.locator('summary').click();
    const table = maths.getByRole('region', {
      name: "Mathematics: every counted pupil's movement (11 pupils).",
    });
    await table.waitFor();
    const dan = table.getByRole('row', { name: /Dan Davies/ });
    await expect(dan.textContent()).resolves.toMatch(/NX9[\s\S]*NX8/);
    await maths.scrollIntoViewIfNeeded();
    await shoot('reports-movement-pupils');
    expect(blocked).toEqual([]);
  });

  it('shows the trust summary to a trust analyst, counted over pupils', async () => {
    await signIn(analyst, '/reports');
    await page.locator('h1', { hasText: 'Autumn 2026/27' }).waitFor();
    expect(page.url()).toContain('/reports/trust');
    await expect(page.locator('#schools').textContent()).resolves.toContain('Brook Special School');
    await shoot('reports-trust');
    expect(blocked).toEqual([]);
  });

  it('lays out the Standards Report for print, without the console around it', async () => {
    await signIn(analyst, `/reports/schools/${dataset.oakfield}/standards`);
    await page.locator('h1', { hasText: 'Oakfield Primary Academy: Autumn 2026/27' }).waitFor();
    await shoot('standards-report');
    await page.emulateMedia({ media: 'print' });
    const navShown = await page.evaluate<boolean>(
      "getComputedStyle(document.querySelector('.site-header')).display !== 'none'",
    );
    expect(navShown).toBe(false);
    // A4 landscape less its margins is about 1030 CSS pixels wide.
    await page.setViewportSize({ width: 1030, height: 730 });
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'standards-report-print.png'),
      clip: { x: 0, y: 0, width: 1030, height: 2200 },
      fullPage: true,
    });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    writeFileSync(path.join(SCREENSHOTS, 'standards-report.pdf'), pdf);
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length).toBeGreaterThan(2);
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ media: 'screen' });
    expect(blocked).toEqual([]);
  });
});
