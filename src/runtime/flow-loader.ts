import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowLoadError, FlowtrailError } from '../core/errors.ts';
import { declarationsOfClass } from '../flow/declarations.ts';
import type { FlowClass } from '../flow/flow-spec.ts';
import { buildGraph, type FlowGraph } from '../flow/graph.ts';
import type { CodePackage } from './code-package.ts';
import { bundleFlow } from './flow-bundle.ts';

export interface LoadedFlow {
  /** Absolute path of the flow's source file. */
  file: string;
  /** The compiled module the workers import. */
  bundle: string;
  code: CodePackage;
  cls: FlowClass;
  graph: FlowGraph;
}

function looksLikeFlow(value: unknown): value is FlowClass {
  return typeof value === 'function' && declarationsOfClass(value as FlowClass).steps.size > 0;
}

/** Imports a compiled flow module and picks its flow class (by name when it exports several). */
export async function importFlowModule(
  bundle: string,
  flowName: string | undefined,
  sourceName: string,
): Promise<{ cls: FlowClass; graph: FlowGraph }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof FlowtrailError) throw e;
    throw new FlowLoadError(sourceName, `Flow file ${sourceName} failed to load: ${(e as Error).message}`, e);
  }
  const unique = [...new Set(Object.values(mod).filter(looksLikeFlow))];
  let cls: FlowClass | undefined;
  if (flowName) {
    cls = unique.find((c) => c.name === flowName);
    if (!cls) {
      throw new FlowLoadError(
        sourceName,
        `Flow file ${sourceName} exports no flow named ${flowName}; it exports ${unique.map((c) => c.name).join(', ') || 'none'}.`,
      );
    }
  } else if (unique.length === 1) {
    cls = unique[0]!;
  } else if (unique.length === 0) {
    throw new FlowLoadError(
      sourceName,
      `Flow file ${sourceName} exports no flow class; export a class that extends FlowSpec with @step methods.`,
    );
  } else {
    throw new FlowLoadError(
      sourceName,
      `Flow file ${sourceName} exports several flows (${unique.map((c) => c.name).join(', ')}); choose one with --flow NAME.`,
    );
  }
  return { cls, graph: buildGraph(cls) };
}

/**
 * Compiles a flow file (see {@link bundleFlow}) into `buildDir`, imports it and builds the validated
 * graph of its flow class. With several flow classes exported, `flowName` picks one.
 */
export async function loadFlow(file: string, buildDir: string, flowName?: string): Promise<LoadedFlow> {
  const abs = path.resolve(file);
  const bundle = await bundleFlow(file, buildDir);
  const { cls, graph } = await importFlowModule(bundle.file, flowName, file);
  return { file: abs, bundle: bundle.file, code: bundle.code, cls, graph };
}
