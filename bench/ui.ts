/**
 * The web UI's figures, one section per screen (`bench/ui/<section>.ts`, each runnable alone):
 * initial download, a 10,000-run flow's runs list, a 10,000-task run page, task commit → visible
 * on the open run page, the task page, and the event feed over 1,000,000 events. Real Chromium
 * (Debian's), embedded store, loopback.
 * `node --import tsx bench/ui.ts [section…]`.
 */
const SECTIONS = ['bundle', 'runs-list', 'run-page', 'live-latency', 'task-page', 'event-feed'] as const;

const chosen = process.argv.slice(2);
for (const name of chosen.length > 0 ? chosen : SECTIONS) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    console.error(`bench/ui.ts: no section '${name}'; choose from ${SECTIONS.join(', ')}.`);
    process.exit(2);
  }
  const section = (await import(`./ui/${name}.ts`)) as { run(): Promise<Record<string, number | string>> };
  const started = performance.now();
  const figures = await section.run();
  console.log(`\n## ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  for (const [label, value] of Object.entries(figures)) console.log(`  ${label}: ${value}`);
}
