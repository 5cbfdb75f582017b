import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { request } from 'undici';

/** Small measuring tools: timings, peak RSS, percentiles, and the bare fetch loop. */

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/**
 * Times `work` as `timed` does and, when `file` is given, writes the main thread's CPU profile
 * over it there (open it in Chrome's DevTools or speedscope).
 */
export async function profiled<T>(
  file: string | null,
  work: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  if (file === null) return timed(work);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await timed(work);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * The process's peak RSS while it runs, in MB, and what it held at that moment: V8's heap in use
 * and reserved, and the memory of buffers outside it.
 */
export function rssSampler() {
  let peak = process.memoryUsage();
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  };
  const timer = setInterval(sample, 50);
  return {
    stop(): { rss: number; heapUsed: number; heapTotal: number; external: number } {
      clearInterval(timer);
      sample();
      const mb = (bytes: number) => bytes / 1024 / 1024;
      return {
        rss: mb(peak.rss),
        heapUsed: mb(peak.heapUsed),
        heapTotal: mb(peak.heapTotal),
        external: mb(peak.external),
      };
    },
  };
}

export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/**
 * The physical limit of a pull: the same pages from the same fake, fetched in a bare loop that
 * only parses them. Follows Wonde's `meta.pagination.next` links.
 */
export async function bareFetch(baseUrl: string, token: string, schoolIds: string[]) {
  let records = 0;
  for (const id of schoolIds) {
    const starts = [
      `${baseUrl}schools/${id}/students?include=education_details,extended_details,year&per_page=500`,
      `${baseUrl}schools/${id}/assessment/results?per_page=500`,
    ];
    for (const start of starts) {
      let url: string | null = start;
      while (url) {
        const response = await request(url, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.body.json()) as {
          data: unknown[];
          meta?: { pagination?: { next?: string | null } };
        };
        records += body.data.length;
        url = body.meta?.pagination?.next ?? null;
      }
    }
  }
  return records;
}
