import { describe, expect, it } from 'vitest';
import { relatedResources } from '../../src/automations/related-resources.ts';
import { validateAutomation } from '../../src/automations/validate-automation.ts';

const ID = '0190c3a0-0000-7000-8000-00000000000a';

describe('relatedResources', () => {
  it('gives the owner, action targets and literal resource ids of every event trigger', () => {
    const a = validateAutomation({
      name: 'x',
      ownerResource: 'flowtrail.deployment.Owner',
      trigger: {
        type: 'sequence',
        triggers: [
          {
            type: 'event',
            expect: ['a'],
            match: { 'flowtrail.resource.id': ['dataset.sales', 'dataset.*', '!dataset.old'] },
          },
          {
            type: 'compound',
            require: 'any',
            triggers: [
              {
                type: 'event',
                expect: ['b'],
                match: { 'flowtrail.resource.name': 'not-an-id' },
                matchRelated: [
                  { 'flowtrail.resource.id': 'flowtrail.tag.critical' },
                  { 'flowtrail.resource.id': 'flowtrail.flow.[AB]' },
                ],
              },
              { type: 'event', expect: ['c'], match: { 'flowtrail.resource.id': 'flowtrail.run.ETL/12' } },
            ],
          },
        ],
      },
      actions: [
        { type: 'run-deployment', deployment: 'ETL' },
        { type: 'pause-deployment' },
        { type: 'resume-deployment', deployment: 'Loader' },
      ],
      actionsOnTrigger: [{ type: 'pause-automation', automation: ID }, { type: 'resume-automation' }],
      actionsOnResolve: [
        { type: 'emit-event', event: 'x.y', resource: { 'flowtrail.resource.id': 'emitted' } },
      ],
    });
    expect(relatedResources(a)).toEqual(
      [
        `flowtrail.automation.${ID}`,
        'dataset.sales',
        'flowtrail.deployment.ETL',
        'flowtrail.deployment.Loader',
        'flowtrail.deployment.Owner',
        'flowtrail.run.ETL/12',
        'flowtrail.tag.critical',
      ].sort(),
    );
  });

  it('is empty for an unowned automation on globs that does nothing', () => {
    const a = validateAutomation({
      name: 'x',
      trigger: { type: 'event', expect: ['*'], match: { 'flowtrail.resource.id': 'job.?' } },
      actions: [{ type: 'do-nothing' }],
    });
    expect(relatedResources(a)).toEqual([]);
  });
});
