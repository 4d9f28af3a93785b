import os from 'node:os';
import { FLOWTRAIL_VERSION } from '../core/version.ts';
import type { EnvironmentInfo } from '../store/metadata-store.ts';

let cached: EnvironmentInfo | undefined;

/** Node, OS and Flowtrail versions of this process, recorded on every attempt. */
export function environmentInfo(): EnvironmentInfo {
  cached ??= {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    os: `${os.type()} ${os.release()}`,
    hostname: os.hostname(),
    cpus: os.availableParallelism(),
    flowtrail: FLOWTRAIL_VERSION,
  };
  return cached;
}
