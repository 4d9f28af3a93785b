import { describe, expect, it } from 'vitest';
import { executorSpecOf, parseQueueUrl, parseResourceOffer } from '../../src/cli/queue-flags.ts';
import { UsageError } from '../../src/core/errors.ts';
import { queueNameOf, requestOfQueue } from '../../src/runtime/executor/queue/queue-names.ts';

describe('queue flags', () => {
  it('--executor and --queue: queue needs a redis:// URL; --queue alone means queue', () => {
    expect(executorSpecOf(undefined, undefined)).toEqual({ kind: 'local' });
    expect(executorSpecOf(undefined, 'redis://h:6379')).toMatchObject({
      kind: 'queue',
      url: 'redis://h:6379',
    });
    expect(() => executorSpecOf('queue', undefined)).toThrow(
      /--executor queue needs --queue redis:\/\/host:port/,
    );
    expect(() => executorSpecOf('cluster', undefined)).toThrow(
      /--executor takes local or queue, not 'cluster'/,
    );
    expect(() => executorSpecOf('local', 'redis://h')).toThrow(UsageError);
    expect(() => parseQueueUrl('http://h:6379')).toThrow(
      /redis:\/\/ or rediss:\/\/ URL, not 'http:\/\/h:6379'/,
    );
    expect(() => parseQueueUrl('nonsense')).toThrow(UsageError);
  });

  it('--resources: name=value pairs over the machine defaults, no GPU unless given', () => {
    expect(parseResourceOffer('cpu=4,gpu=1,memoryMb=8192')).toEqual({ cpu: 4, gpu: 1, memoryMb: 8192 });
    expect(parseResourceOffer(undefined).gpu).toBe(0);
    expect(() => parseResourceOffer('gpu=many')).toThrow(
      /name=value pairs of cpu, memoryMb and gpu .* not 'gpu=many'/,
    );
    expect(() => parseResourceOffer('tpu=1')).toThrow(UsageError);
  });

  it('a resource class queue name stands for its request and back', () => {
    expect(queueNameOf(undefined)).toBe('attempts');
    expect(queueNameOf({ cpu: 2, gpu: 1 })).toBe('attempts.cpu2.gpu1');
    expect(requestOfQueue('attempts.cpu2.mem4096.gpu1')).toEqual({ cpu: 2, memoryMb: 4096, gpu: 1 });
    expect(requestOfQueue(queueNameOf({ cpu: 0.5 }))).toEqual({ cpu: 0.5 });
    expect(requestOfQueue('other')).toBeUndefined();
  });
});
