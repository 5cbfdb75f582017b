import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, spawnEntry, waitFor200 } from '../support/process.ts';

describe('npm run demo', () => {
  it('starts the service with a demo trust and prints its address and a sign-in', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'nss-demo-')), 'demo');
    const port = await freePort();
    const demo = spawnEntry('src/demo/main.ts', { PORT: String(port), DATA_DIR: dataDir });
    try {
      const started = Date.now();
      while (!demo.stdout().includes('demo is running at') && Date.now() - started < 45_000) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(demo.stdout()).toContain(
        `Next Steps Sync demo is running at http://127.0.0.1:${port}`,
      );
      expect(demo.stdout()).toContain('Sign in as analyst@nexus-demo.example with the password');
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 5_000);
      const schools = await fetch(`http://127.0.0.1:${port}/api/v1/schools`);
      expect(schools.status).toBe(401);
    } finally {
      demo.child.kill('SIGTERM');
    }
    expect(await demo.exited).toBe(0);
    expect(demo.stderr()).toBe('');
  }, 90_000);
});
