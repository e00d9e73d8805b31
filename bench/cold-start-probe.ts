/** The script the cold-start bench runs in a fresh `node` (`node --input-type=module -e PROBE bundle undici n same|unique steadyAfter`). */
import { invocationSource } from './probe-invocation.js';

/** The child: imports the bundle, then sends one GET through the handler; prints one JSON line. */
export const PROBE = `
const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const imported = performance.now() - t0;
${invocationSource('/cold')}const t1 = performance.now();
const result = await invoke(event);
const first = performance.now() - t1;
// The second request finds what the first stored (for stale-if-error): its Cache-Status shows the store answered.
const second = String((await invoke(event)).headers?.['cache-status'] ?? '');
const n = Number(process.argv[3]);
const unique = process.argv[4] === 'unique';
const { request, Agent } = await import(process.argv[2]);
const agent = new Agent({ connections: 1 });
const url = process.env.ORIGIN_URL + '/cold';
for (let i = 0; i < 50; i++) await (await request(url, { dispatcher: agent })).body.text();
const http = await import('node:http');
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const viaHttp = () => new Promise((resolve, reject) => {
  http.get(url, { agent: httpAgent }, (res) => { res.on('data', () => {}); res.on('end', resolve); res.on('error', reject); }).on('error', reject);
});
for (let i = 0; i < 50; i++) await viaHttp();
for (let i = 0; i < 50; i++) await invoke(event);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
// Alternating blocks, so a burst of load from other processes hits both sides alike.
const timed = async (from) => {
  let handlerMs = 0, directMs = 0, httpMs = 0, failed = 0, handlerCpu = 0, directCpu = 0;
  const block = Math.max(1, Math.ceil(n / 10));
  for (let done = 0; done < n; done += block) {
    const m = Math.min(block, n - done);
    const c2 = cpu();
    const t2 = performance.now();
    // Every timed invocation must be a proxied 200: a 504 from a spent deadline would time nothing.
    // S3 mode: a URL per request, so no two writes race on one object (s3rver crashes on that).
    for (let i = 0; i < m; i++) if ((await invoke(unique ? { ...event, path: '/cold/' + (from + done) + '-' + i } : event)).statusCode !== 200) failed++;
    const t3 = performance.now();
    const c3 = cpu();
    for (let i = 0; i < m; i++) await (await request(url, { dispatcher: agent })).body.text();
    const t4 = performance.now();
    handlerCpu += c3 - c2;
    directCpu += cpu() - c3;
    for (let i = 0; i < m; i++) await viaHttp();
    handlerMs += t3 - t2;
    directMs += t4 - t3;
    httpMs += performance.now() - t4;
  }
  // CPU of the whole process (its GC and libuv threads too), what Lambda bills beside the waiting.
  return { failed, handlerUs: (handlerMs * 1000) / n, directUs: (directMs * 1000) / n, httpUs: (httpMs * 1000) / n, handlerCpuUs: handlerCpu / n, directCpuUs: directCpu / n };
};
const warm = await timed(0);
// Steady: V8 has compiled the hot path by now (the first thousand requests of a process run partly
// unoptimized code, and compile it on other threads). All three sides get the same requests first.
const steadyAfter = Number(process.argv[5] ?? 0);
let steady;
if (steadyAfter > 0) {
  for (let i = 0; i < steadyAfter; i++) {
    await invoke(unique ? { ...event, path: '/cold/w-' + i } : event);
    await (await request(url, { dispatcher: agent })).body.text();
    await viaHttp();
  }
  steady = await timed(n + steadyAfter);
}
const failed = warm.failed + (steady?.failed ?? 0);
const { handlerUs, directUs, httpUs, handlerCpuUs, directCpuUs } = warm;
process.stdout.write('\\nCOLDSTART ' + JSON.stringify({ imported, first, status: result.statusCode, second, failed, handlerUs, directUs, httpUs, handlerCpuUs, directCpuUs, steady }) + '\\n');
process.exit(0);
`;
