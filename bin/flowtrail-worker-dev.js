#!/usr/bin/env node
// Worker process when the runtime runs from TypeScript sources (tests, development).
import { register } from 'tsx/esm/api';

register();
await import('../src/runtime/worker-main.ts');
