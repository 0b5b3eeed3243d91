// GET /healthz: the source's status and a few counters, for monitoring (never cached).

/** @param {import('fastify').FastifyInstance} app @param {{ feed: import('../context.js').FeedContext }} opts */
export async function healthRoutes(app, { feed }) {
  app.get('/healthz', async (req, reply) => {
    const { source } = feed;
    const h = source.health();
    const latest = source.store?.latest() ?? null;
    reply.header('cache-control', 'no-store');
    return {
      status: h.status,
      mode: source.mode,
      network: source.store?.network.id ?? null,
      latest_ts: latest?.ts ?? null,
      age_s: latest ? Math.round((source.now() - latest.ts_ms) / 1000) : null,
      snapshots_served: feed.served,
      sse_clients: feed.hub?.clients.size ?? 0,
      uptime_s: Math.round((Date.now() - feed.started_ms) / 1000),
      incidents: feed.incidents.health(),
      ...h.detail,
    };
  });
}
