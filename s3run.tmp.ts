import { execFileSync } from 'node:child_process';
import { startS3rver } from './test/support/s3rver.ts';
const s3 = await startS3rver();
const home = '/tmp/s3home-' + process.pid;
const env = { ...process.env, ...s3.env, FLOWTRAIL_HOME: home, FLOWTRAIL_ARTIFACTS: `s3://${s3.bucket}/runs` };
try {
  const t = performance.now();
  console.log(execFileSync(process.execPath, ['bin/flowtrail.js', 'run', 'examples/foreach.ts'], { env, encoding: 'utf8' }));
  console.log('ms', performance.now() - t);
  console.log(execFileSync(process.execPath, ['bin/flowtrail.js', 'dump', 'ForeachFlow/1/join'], { env, encoding: 'utf8' }));
} catch (e) { console.log((e as {stdout:string}).stdout, (e as {stderr:string}).stderr); }
await s3.stop();
