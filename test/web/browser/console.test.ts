import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestUser, testApp } from '../../support/app.ts';
import { drain, testEngine } from '../../support/engine.ts';
import { ROOT } from '../../support/process.ts';
import {
  BROKEN_RETURN,
  buildTrust,
  MEADOWBANK,
  MEADOWBANK_BASELINE,
  type Trust,
  XSS_NAME,
} from '../console-fixtures.ts';

/**
 * The console in a real browser: Debian's Chromium, driven by playwright-core, against the app
 * listening on loopback. Skipped with a message where Chromium is missing, except in CI, where a
 * missing browser fails the run.
 */

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!runnable) {
  console.warn(`Skipping the browser tests: there is no Chromium at ${CHROMIUM}.`);
}

describe.skipIf(!runnable)('the console in a browser', () => {
  let trust: Trust;
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const dialogs: string[] = [];
  const blocked: string[] = [];

  beforeAll(async () => {
    trust = await buildTrust();
    app = await testApp(trust.database);
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
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await trust?.database.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function signIn(user: TestUser, next = '/') {
    await context.clearCookies();
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('networkidle');
  }

  async function shoot(name: string, viewport = DESKTOP, fullPage = true) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
    if (viewport !== DESKTOP) await page.setViewportSize(DESKTOP);
  }

  async function overflows() {
    // Strings, not functions: this project's TypeScript has no DOM types.
    return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
  }

  it('signs in and shows who is signed in, with their role', async () => {
    await signIn(trust.users.analyst);
    const header = page.locator('header');
    await expect(header.textContent()).resolves.toContain('Nexus MAT');
    await expect(header.textContent()).resolves.toContain('Priya Shah');
    await expect(header.textContent()).resolves.toContain('Trust analyst');
    expect(await page.title()).toContain('Overview');
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Autumn 2026/27' });
    await page.getByRole('button', { name: 'Show' }).click();
    // The overview already opens on the term in progress: wait for the chosen one's address.
    await page.waitForURL((url) => url.searchParams.get('collection') === String(trust.autumn));
    await page.locator('h1', { hasText: 'Autumn 2026/27' }).waitFor();
    await shoot('overview');
    await shoot('overview-phone', PHONE);
  });

  it('confirms an unmapped value and the overview shows the subject complete', async () => {
    await signIn(trust.users.trustMaths, `/?collection=${trust.autumn}`);
    const row = page.getByRole('row').filter({ hasText: 'Oakfield Primary Academy' });
    const mathsCell = row.getByRole('cell').nth(3);
    await expect(mathsCell.textContent()).resolves.toContain('Needs mapping');
    await expect(mathsCell.textContent()).resolves.toContain('10 of 12, 83%');

    await page.goto(`${base}/schools/${trust.oakfield.id}/unmapped`);
    await shoot('unmapped-values');
    const item = page.locator('.value-item').filter({ hasText: 'Secure+' });
    const select = item.getByLabel('Next Steps point for “Secure+”');
    await item
      .getByLabel('Why (optional)')
      .fill('Secure+ in Year 2 is beyond the expected standard');
    const nx8 = await select.locator('option', { hasText: /^NX8 –/ }).getAttribute('value');
    await select.selectOption(nx8!);
    await item.getByRole('button', { name: 'Confirm this point' }).click();
    const done = page.locator('.value-item').filter({ hasText: 'Confirmed' });
    await expect(done.textContent({ timeout: 10_000 })).resolves.toContain(
      '2 results now land as NX8',
    );
    // htmx swapped the value's own item: the page itself never left.
    expect(page.url()).toBe(`${base}/schools/${trust.oakfield.id}/unmapped`);
    await shoot('unmapped-confirmed');

    await page.goto(`${base}/?collection=${trust.autumn}`);
    const after = page.getByRole('row').filter({ hasText: 'Oakfield Primary Academy' });
    const cell = after.getByRole('cell').nth(3);
    await expect(cell.textContent()).resolves.toContain('Complete');
    await expect(cell.textContent()).resolves.toContain('12 of 12, 100%');
  });

  it('uploads a spreadsheet with errors and shows the row problems', async () => {
    await signIn(trust.users.hollybrookLead);
    await page.goto(`${base}/schools/${trust.hollybrook.id}/uploads`);
    await page.getByLabel('Return file').setInputFiles({
      name: 'hollybrook-baseline.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(BROKEN_RETURN, 'utf8'),
    });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.waitForURL(/\/runs\//);
    await expect(page.locator('#run-progress').textContent()).resolves.toContain('Queued');

    await drain(testEngine(trust.database));
    await page.locator('#run-progress', { hasText: 'Succeeded' }).waitFor({ timeout: 10_000 });
    const problems = page.getByRole('region', { name: 'Record problems', exact: true }).last();
    const text = (await problems.textContent()) ?? '';
    expect(text).toMatch(/Row 3/);
    expect(text).toMatch(/Row 5/);
    await shoot('upload-result');
  });

  it("refuses a school data lead another school's page, showing no part of it", async () => {
    await signIn(trust.users.oakfieldLead);
    expect(page.url()).toBe(`${base}/schools/${trust.oakfield.id}`);
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Autumn 2026/27' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('.lede', { hasText: 'Autumn 2026/27' }).waitFor();
    await shoot('school');
    const response = await page.goto(`${base}/schools/${trust.riverside.id}`);
    expect(response?.status()).toBe(403);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      'You do not have access to this page',
    );
    expect(await page.content()).not.toContain('Riverside Academy');
  });

  it('shows a pupil named like a script as text, and runs nothing', async () => {
    await signIn(trust.users.oakfieldLead);
    await page.goto(`${base}/pupils?q=Marsh`);
    await page.getByRole('link', { name: `${XSS_NAME} Marsh` }).click();
    await page.waitForLoadState('networkidle');
    await expect(page.locator('h1').textContent()).resolves.toBe(`${XSS_NAME} Marsh`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);

    await page.goto(`${base}/pupils?q=Okafor`);
    await page.getByRole('link', { name: 'Amara Okafor' }).click();
    await page.waitForLoadState('networkidle');
    await shoot('pupil');
  });

  it('refuses a form posted without its CSRF token', async () => {
    await signIn(trust.users.riversideLead);
    await page.goto(`${base}/sources/${trust.riversideMis.id}`);
    await shoot('source-health');
    await page.evaluate(`
      document.body.removeAttribute('hx-headers');
      for (const field of document.querySelectorAll('input[name="_csrf"]')) field.remove();
    `);
    const answer = page.waitForResponse((response) => response.url().endsWith('/pause'));
    await page.getByRole('button', { name: 'Pause' }).click();
    expect((await answer).status()).toBe(403);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'This form has expired or did not come from this site',
    );
  });

  it('shows the run log and the missing pupils, and nothing overflows a phone', async () => {
    await signIn(trust.users.admin);
    await page.goto(`${base}/runs/${trust.failedRunId}`);
    await shoot('run');
    await page.goto(`${base}/schools/${trust.riverside.id}/sources/new?kind=wonde`);
    await shoot('source-form');
    await page.goto(`${base}/rules/library`);
    await shoot('rule-library', DESKTOP, false);
    const missing = `collection=${trust.autumn}&subject=${trust.writing}`;
    await page.goto(`${base}/schools/${trust.oakfield.id}/missing?${missing}`);
    await shoot('missing-pupils');
    for (const url of [
      '/',
      `/schools/${trust.oakfield.id}/unmapped`,
      `/sources/${trust.riversideMis.id}`,
    ]) {
      await page.setViewportSize(PHONE);
      await page.goto(`${base}${url}`);
      expect({ url, overflows: await overflows() }).toEqual({ url, overflows: false });
    }
    await page.setViewportSize(DESKTOP);
  });

  it('onboards a newly converted school until its baseline has landed', async () => {
    await signIn(trust.users.admin);
    await page.getByRole('link', { name: 'Schools', exact: true }).click();
    await page.getByRole('link', { name: 'Add a school' }).click();
    await page.getByLabel('School name').fill(MEADOWBANK.name);
    await page.getByLabel('URN').fill(MEADOWBANK.urn);
    await page.getByLabel('LAESTAB').fill(MEADOWBANK.laestab);
    await page.getByLabel('Phase').selectOption({ label: 'Primary' });
    await page.getByLabel('Conversion date').fill(MEADOWBANK.joinedTrustOn);
    await page.getByLabel('Conversion date').blur();
    await shoot('add-school');
    await page.getByRole('button', { name: 'Add school' }).click();
    await page.waitForURL(/\/onboarding$/);
    const added = page.locator('#step-1');
    await expect(added.textContent()).resolves.toContain(
      'its baseline is the Autumn 2026/27 collection (policy 8.3)',
    );

    await page.getByRole('button', { name: 'Set up a spreadsheet upload' }).click();
    await page.getByLabel('Return file').waitFor();
    const landIn = page.getByLabel('Land results in');
    expect(await landIn.locator('option:checked').textContent()).toBe('Baseline (Autumn 2026/27)');
    await page.getByLabel('Return file').setInputFiles({
      name: 'meadowbank-baseline.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(MEADOWBANK_BASELINE, 'utf8'),
    });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.waitForURL(/\/runs\//);
    await drain(testEngine(trust.database));
    await page.locator('#run-progress', { hasText: 'Succeeded' }).waitFor({ timeout: 10_000 });

    await page.getByRole('link', { name: MEADOWBANK.name }).first().click();
    await page.getByRole('link', { name: 'Follow its onboarding steps' }).click();
    expect(await page.locator('#step-3[aria-current="step"]').count()).toBe(1);
    await page
      .locator('#step-3')
      .getByRole('link', { name: 'Map them in unmapped values' })
      .click();
    await page.getByRole('button', { name: /Confirm all suggestions in this column/ }).click();
    await page.locator('#unmapped-flash', { hasText: 'Confirmed 3 subject mappings' }).waitFor();

    // Once the baseline has landed, the school page stops offering the path; the list keeps it.
    await page.getByRole('link', { name: MEADOWBANK.name }).first().click();
    await page.locator('h2', { hasText: 'Collection progress' }).waitFor();
    expect(await page.getByRole('link', { name: 'Follow its onboarding steps' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Schools', exact: true }).click();
    await page.getByRole('link', { name: `Guided path for ${MEADOWBANK.name}` }).click();
    const landed = page.locator('#step-5');
    await expect(landed.textContent()).resolves.toContain('5 of 5, 100%');
    await expect(page.locator('.lede').first().textContent()).resolves.toContain(
      'Every step is done',
    );
    await shoot('onboarding');
    await page.setViewportSize(PHONE);
    expect(await overflows()).toBe(false);
    await page.setViewportSize(DESKTOP);
  });

  it('ran every page without a script error or anything the CSP had to block', () => {
    expect(blocked).toEqual([]);
  });
});
