/**
 * `npm run bench`: runs every benchmark module in turn. Benchmarks measure and print; they are never timed tests.
 * Add a module by appending it to the list.
 */
const benches: { name: string; load: () => Promise<{ run: () => Promise<void> }> }[] = [
  { name: 'paved serve', load: () => import('./serve') },
  { name: 'catalog', load: () => import('./catalog') },
  { name: 'manifest lint', load: () => import('./lint') },
  { name: 'secrets', load: () => import('./secrets') },
  { name: 'paved lint', load: async () => ({ run: (await import('./lint')).runCli }) },
  { name: 'upgrade', load: () => import('./upgrade') },
  { name: 'agent tools', load: () => import('./agentTools') },
  { name: 'insights', load: () => import('./insights') },
  { name: 'insights serve', load: () => import('./insightsServe') },
  { name: 'extension-host', load: () => import('./extensionHost') },
  { name: 'operations', load: () => import('./operations') },
  { name: 'resources', load: () => import('./resources') },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const b of benches) {
    if (only.length > 0 && !only.includes(b.name)) continue;
    console.log(`## ${b.name}`);
    await (await b.load()).run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
