import { Agent } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { failure, serve, testClient } from './setup.ts';

describe('limits on one source', () => {
  it('never has more than maxConcurrent requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const server = await serve((_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end('{}');
      }, 30);
    });
    // An injected dispatcher has no connection limit of its own, so only the client's gate
    // can hold the line here.
    const dispatcher = new Agent({ connections: null });
    onTestFinished(() => dispatcher.close());
    const { client } = testClient({ maxConcurrent: 2, dispatcher });

    const pages = Array.from({ length: 8 }, (_, page) =>
      client.getJson(`${server.url}/v1.0/schools/A1/students`, { query: { page } }),
    );
    await Promise.all(pages);

    expect(server.requests).toHaveLength(8);
    expect(most).toBe(2);
  });

  it('spaces requests to stay within the budget, reporting each wait', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const { client, events } = testClient({ budget: { requests: 3, perMs: 200 } });

    await Promise.all(Array.from({ length: 7 }, () => client.getJson(`${server.url}/assessments`)));

    const arrivals = server.requests.map((seen) => seen.at);
    for (let i = 3; i < arrivals.length; i += 1) {
      // A window of 200 ms may hold three requests, so the fourth goes at least 200 ms after
      // the first. The server sees arrivals: one that opened a new connection arrives later
      // than one that reused a connection (tens of ms on a busy machine), so the gap it sees
      // can be short of 200; without a budget all seven arrive within a few ms.
      expect(arrivals[i]! - arrivals[i - 3]!).toBeGreaterThanOrEqual(150);
    }
    expect(events.filter((event) => event.type === 'budget_wait')).toHaveLength(4);
  });

  it('reports a budget wait that would pass the deadline as rate_limited, unsent', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const { client } = testClient({ budget: { requests: 1, perMs: 60_000 }, deadlineMs: 500 });

    await client.getJson(`${server.url}/assessments`);
    const error = await failure(client.getJson(`${server.url}/assessments`));

    expect(error).toMatchObject({ category: 'rate_limited', code: 'budget_exhausted' });
    expect(error.message).toContain('1 requests per minute');
    expect(server.requests).toHaveLength(1);
  });
});
