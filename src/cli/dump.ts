/**
 * `flowtrail dump PATHSPEC`: artifact values, read through the client API. A task (or a step with
 * one task) prints every artifact as `name = value`; an artifact pathspec prints its value.
 */
import { DataArtifact } from '../client/objects.ts';
import { jsonText } from './format.ts';
import { pathspecLevel, resolveTask } from './targets.ts';
import { inspectValue, toJsonValue } from './values.ts';

export interface DumpOptions {
  json: boolean;
  /** Longest text per value (0: no limit). */
  maxLength: number;
}

export const DEFAULT_MAX_LENGTH = 1000;

export async function dump(pathspec: string, options: DumpOptions): Promise<string> {
  const level = pathspecLevel(pathspec);
  if (level === 'artifact') {
    const artifact = await DataArtifact.get(pathspec);
    const value = await artifact.data;
    if (options.json)
      return jsonText({
        pathspec: artifact.pathspec,
        name: artifact.name,
        value: toJsonValue(value, options.maxLength),
      });
    return `${inspectValue(value, options.maxLength)}\n`;
  }
  const task = await resolveTask('dump', pathspec, level);
  const artifacts = await task.artifacts;
  artifacts.sort((a, b) => a.name.localeCompare(b.name));
  const values = await Promise.all(artifacts.map((a) => a.data));
  if (options.json) {
    const out: Record<string, unknown> = {};
    artifacts.forEach((a, i) => {
      out[a.name] = toJsonValue(values[i], options.maxLength);
    });
    return jsonText({ pathspec: task.pathspec, artifacts: out });
  }
  if (artifacts.length === 0) return `(${task.pathspec} stored no artifacts)\n`;
  return artifacts.map((a, i) => `${a.name} = ${inspectValue(values[i], options.maxLength)}\n`).join('');
}
