import { describe, expect, it } from 'vitest';
import { FlowtrailError, ParameterError } from '../../src/core/errors.ts';
import type { ParameterDeclaration } from '../../src/flow/declarations.ts';
import { buildGraph } from '../../src/flow/graph.ts';
import { findParameter, parseParameterText, resolveParameters } from '../../src/flow/parameters.ts';
import { FlowSpec, param, step } from '../../src/index.ts';

class TrainFlow extends FlowSpec {
  @param.number({ default: 0.01, help: 'learning rate' }) learningRate!: number;
  @param.string({ required: true, help: 'dataset name' }) dataset!: string;
  @param.boolean({ default: false }) verbose!: boolean;
  @param.json<{ layers: number[] }>({ default: { layers: [8] } }) config!: { layers: number[] };
  @param.number() seed!: number;
  @param.string({ name: 'out-dir' }) outputDirectory!: string;

  @step({ next: 'end' })
  async start() {}

  @step()
  async end() {}
}

const params = buildGraph(TrainFlow).params;

function decl(name: string): ParameterDeclaration {
  const p = params.get(name);
  if (!p) throw new Error(`no parameter ${name}`);
  return p;
}

function manual(
  type: ParameterDeclaration['type'],
  extra: Partial<ParameterDeclaration> = {},
): ParameterDeclaration {
  return { name: 'value', cliName: 'value', type, required: false, ...extra };
}

function paramsOf(...decls: ParameterDeclaration[]): Map<string, ParameterDeclaration> {
  return new Map(decls.map((d) => [d.name, d]));
}

/** Runs `fn`, expects a ParameterError, and returns it. */
function parameterError(fn: () => unknown): ParameterError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a ParameterError').toBeInstanceOf(ParameterError);
  expect(caught).toBeInstanceOf(FlowtrailError);
  const error = caught as ParameterError;
  expect(error.code).toBe('INVALID_PARAMETER');
  expect(error.details.parameter).toBe(error.parameter);
  return error;
}

describe('parameter declarations', () => {
  it('records type, defaults, required, help and the kebab-case CLI name', () => {
    expect(decl('learningRate')).toEqual({
      name: 'learningRate',
      cliName: 'learning-rate',
      type: 'number',
      required: false,
      default: 0.01,
      help: 'learning rate',
    });
    expect(decl('dataset')).toEqual({
      name: 'dataset',
      cliName: 'dataset',
      type: 'string',
      required: true,
      help: 'dataset name',
    });
    expect(decl('verbose')).toMatchObject({ type: 'boolean', default: false, required: false });
    expect(decl('config')).toMatchObject({ type: 'json', default: { layers: [8] } });
    expect(decl('seed')).toEqual({ name: 'seed', cliName: 'seed', type: 'number', required: false });
    expect(decl('outputDirectory').cliName).toBe('out-dir');
  });
});

describe('parseParameterText', () => {
  it('keeps strings as they are', () => {
    const p = manual('string');
    expect(parseParameterText(p, 'sales')).toBe('sales');
    expect(parseParameterText(p, '')).toBe('');
    expect(parseParameterText(p, '  42 ')).toBe('  42 ');
    expect(parseParameterText(p, '{"a":1}')).toBe('{"a":1}');
  });

  it('parses numbers', () => {
    const p = manual('number');
    expect(parseParameterText(p, '42')).toBe(42);
    expect(parseParameterText(p, '-2.5')).toBe(-2.5);
    expect(parseParameterText(p, '1e3')).toBe(1000);
    expect(parseParameterText(p, '0.01')).toBe(0.01);
    expect(parseParameterText(p, ' 7 ')).toBe(7);
    expect(parseParameterText(p, '0')).toBe(0);
  });

  it('rejects text that is not a number', () => {
    const p = decl('learningRate');
    for (const bad of ['abc', '', '   ', 'NaN', '1,5', '12px']) {
      const error = parameterError(() => parseParameterText(p, bad));
      expect(error.parameter).toBe('learningRate');
      expect(error.message).toContain('--learning-rate');
      expect(error.message).toContain('must be a number');
      expect(error.message).toContain(`'${bad}'`);
    }
  });

  it('parses booleans', () => {
    const p = manual('boolean');
    for (const t of ['true', 'TRUE', 'True', '1', 'yes', 'YES', ''])
      expect(parseParameterText(p, t), t).toBe(true);
    for (const f of ['false', 'False', '0', 'no', 'NO']) expect(parseParameterText(p, f), f).toBe(false);
  });

  it('rejects text that is not a boolean', () => {
    const p = decl('verbose');
    for (const bad of ['maybe', '2', 'on?']) {
      const error = parameterError(() => parseParameterText(p, bad));
      expect(error.parameter).toBe('verbose');
      expect(error.message).toMatch(/--verbose must be true or false/);
      expect(error.message).toContain(bad);
    }
  });

  it('parses JSON', () => {
    const p = manual('json');
    expect(parseParameterText(p, '{"layers":[4,2]}')).toEqual({ layers: [4, 2] });
    expect(parseParameterText(p, '[1,"two",null]')).toEqual([1, 'two', null]);
    expect(parseParameterText(p, '3')).toBe(3);
    expect(parseParameterText(p, '"text"')).toBe('text');
    expect(parseParameterText(p, 'null')).toBeNull();
  });

  it('rejects malformed JSON', () => {
    const p = decl('config');
    for (const bad of ['{layers: [1]}', '', "{'a':1}", '[1,']) {
      const error = parameterError(() => parseParameterText(p, bad));
      expect(error.parameter).toBe('config');
      expect(error.message).toMatch(/--config must be JSON/);
    }
  });
});

describe('findParameter', () => {
  it('finds a parameter by property name, CLI name, or snake_case, ignoring case', () => {
    for (const given of ['learningRate', 'learning-rate', 'learning_rate', 'LEARNING_RATE', 'learningrate']) {
      expect(findParameter(params, given)?.name, given).toBe('learningRate');
    }
    expect(findParameter(params, 'out-dir')?.name).toBe('outputDirectory');
    expect(findParameter(params, 'outputDirectory')?.name).toBe('outputDirectory');
    expect(findParameter(params, 'nope')).toBeUndefined();
  });
});

describe('resolveParameters', () => {
  it('applies defaults and leaves optional parameters without a default unset', () => {
    const values = resolveParameters(params, { dataset: 'sales' });
    expect(values).toEqual({
      dataset: 'sales',
      learningRate: 0.01,
      verbose: false,
      config: { layers: [8] },
    });
    expect('seed' in values).toBe(false);
    expect('outputDirectory' in values).toBe(false);
  });

  it('parses CLI text to each type', () => {
    const values = resolveParameters(
      params,
      {
        dataset: 'sales',
        'learning-rate': '0.5',
        verbose: 'true',
        config: '{"layers":[4,2]}',
        seed: '7',
        'out-dir': '/tmp/out',
      },
      { fromText: true },
    );
    expect(values).toEqual({
      dataset: 'sales',
      learningRate: 0.5,
      verbose: true,
      config: { layers: [4, 2] },
      seed: 7,
      outputDirectory: '/tmp/out',
    });
  });

  it('keeps a string parameter as text even when it looks like a number', () => {
    expect(resolveParameters(params, { dataset: '2024' }, { fromText: true }).dataset).toBe('2024');
  });

  it('accepts kebab-case, snake_case and property names for the same parameter', () => {
    for (const key of ['learningRate', 'learning-rate', 'learning_rate']) {
      const values = resolveParameters(params, { dataset: 'd', [key]: '0.25' }, { fromText: true });
      expect(values.learningRate, key).toBe(0.25);
      expect(Object.keys(values)).not.toContain(key === 'learningRate' ? 'learning-rate' : key);
    }
  });

  it('overrides a default with a given value (also a falsy one)', () => {
    expect(resolveParameters(params, { dataset: 'd', verbose: 'false' }, { fromText: true }).verbose).toBe(
      false,
    );
    expect(resolveParameters(params, { dataset: 'd', verbose: true }).verbose).toBe(true);
    expect(resolveParameters(params, { dataset: 'd', learningRate: 0 }).learningRate).toBe(0);
  });

  it('accepts typed values when not parsing text', () => {
    const values = resolveParameters(params, {
      dataset: 'd',
      learningRate: 0.1,
      config: { layers: [] },
      seed: 3,
    });
    expect(values).toMatchObject({ dataset: 'd', learningRate: 0.1, config: { layers: [] }, seed: 3 });
  });

  it('does not parse strings unless asked to', () => {
    const error = parameterError(() => resolveParameters(params, { dataset: 'd', learningRate: '0.5' }));
    expect(error.parameter).toBe('learningRate');
    expect(error.message).toMatch(/must be a number/);
  });

  it('fails when a required parameter is missing, naming it', () => {
    const error = parameterError(() => resolveParameters(params, {}));
    expect(error.parameter).toBe('dataset');
    expect(error.message).toContain('--dataset');
    expect(error.message).toContain('required');
    expect(error.message).toContain('dataset name');
  });

  it('does not require a required parameter that has a default', () => {
    const p = manual('number', { required: true, default: 5 });
    expect(resolveParameters(paramsOf(p), {})).toEqual({ value: 5 });
  });

  it('rejects an unknown parameter, listing the known ones', () => {
    const error = parameterError(() =>
      resolveParameters(params, { dataset: 'd', epochs: '3' }, { fromText: true }),
    );
    expect(error.parameter).toBe('epochs');
    expect(error.message).toContain("Unknown parameter 'epochs'");
    for (const known of ['--learning-rate', '--dataset', '--verbose', '--config', '--seed', '--out-dir']) {
      expect(error.message).toContain(known);
    }
  });

  it('says so when the flow has no parameters at all', () => {
    const error = parameterError(() => resolveParameters(new Map(), { anything: 1 }));
    expect(error.message).toMatch(/Known parameters: none/);
  });

  it('rejects a value of the wrong type, naming the parameter', () => {
    const cases: [string, unknown][] = [
      ['learningRate', 'fast'],
      ['learningRate', Number.NaN],
      ['verbose', 'yes'],
      ['verbose', 1],
      ['dataset', 42],
      ['seed', null],
    ];
    for (const [name, value] of cases) {
      const error = parameterError(() => resolveParameters(params, { dataset: 'd', [name]: value }));
      expect(error.parameter, `${name}=${String(value)}`).toBe(name);
      expect(error.message).toContain(`'${name}'`);
      expect(error.message).toContain(`must be a ${decl(name).type}`);
    }
  });

  it('rejects unparsable CLI text for a typed parameter', () => {
    const error = parameterError(() =>
      resolveParameters(params, { dataset: 'd', 'learning-rate': 'fast' }, { fromText: true }),
    );
    expect(error.parameter).toBe('learningRate');
    expect(error.message).toContain('--learning-rate');
    const json = parameterError(() =>
      resolveParameters(params, { dataset: 'd', config: '{' }, { fromText: true }),
    );
    expect(json.parameter).toBe('config');
  });

  it('accepts any JSON value for a json parameter', () => {
    for (const value of [1, 'x', null, [1, 2], { a: { b: true } }]) {
      expect(resolveParameters(params, { dataset: 'd', config: value }).config).toEqual(value);
    }
  });

  it('checks the type of a declared default', () => {
    const p = manual('number', { default: 'ten' });
    const error = parameterError(() => resolveParameters(paramsOf(p), {}));
    expect(error.parameter).toBe('value');
    expect(error.message).toMatch(/default/);
  });

  it('does not modify the given object', () => {
    const given = { dataset: 'd', 'learning-rate': '0.5' };
    resolveParameters(params, given, { fromText: true });
    expect(given).toEqual({ dataset: 'd', 'learning-rate': '0.5' });
  });
});

describe('parameter names', () => {
  const graphError = (flow: Parameters<typeof buildGraph>[0]) => {
    try {
      buildGraph(flow);
    } catch (e) {
      return e as FlowtrailError;
    }
    throw new Error('expected buildGraph to refuse the flow');
  };

  it('refuses two parameters with the same name, naming the parameter and both fields', () => {
    class TwiceFlow extends FlowSpec {
      @param.string({ name: 'x' }) first!: string;
      @param.string({ name: 'x' }) second!: string;
      @step({ next: 'end' }) async start() {}
      @step() async end() {}
    }
    const e = graphError(TwiceFlow);
    expect(e.code).toBe('INVALID_GRAPH');
    expect(e.message).toMatch(
      /parameter --x of TwiceFlow is declared by both field 'first' .*and field 'second'/i,
    );
    expect(e.details).toMatchObject({ parameter: 'x', fields: ['first', 'second'] });
  });

  it("refuses a field whose name is another parameter's name", () => {
    class ShadowFlow extends FlowSpec {
      @param.number({ name: 'alpha' }) rate!: number;
      @param.number() alpha!: number;
      @step({ next: 'end' }) async start() {}
      @step() async end() {}
    }
    const e = graphError(ShadowFlow);
    expect(e.code).toBe('INVALID_GRAPH');
    expect(e.message).toMatch(/'rate'.*'alpha'/);
    expect(e.details).toMatchObject({ parameter: 'alpha', fields: ['rate', 'alpha'] });
  });

  it('refuses names that differ only in case, dashes or underscores (the CLI reads them as one)', () => {
    class SpellingFlow extends FlowSpec {
      @param.number() learningRate!: number;
      @param.number() learning_rate!: number;
      @step({ next: 'end' }) async start() {}
      @step() async end() {}
    }
    const e = graphError(SpellingFlow);
    expect(e.details).toMatchObject({ fields: ['learningRate', 'learning_rate'] });
  });

  it('still accepts distinct names, and a renamed field next to its own property name', () => {
    class FineFlow extends FlowSpec {
      @param.string({ name: 'out-dir' }) outputDirectory!: string;
      @param.string({ name: 'input' }) input_path!: string;
      @param.number() seed!: number;
      @step({ next: 'end' }) async start() {}
      @step() async end() {}
    }
    expect([...buildGraph(FineFlow).params.keys()]).toEqual(['outputDirectory', 'input_path', 'seed']);
  });
});
