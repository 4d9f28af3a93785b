/** The flow source and its local imports, as stored with each run (`run.code`). */
export interface CodePackage {
  /** Path of the flow file, relative to `root`. */
  entry: string;
  /** Directory the paths are relative to. */
  root: string;
  /** Source text by relative path. */
  files: Record<string, string>;
}
