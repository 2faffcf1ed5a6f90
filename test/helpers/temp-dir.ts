import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A test file's scratch directory: made before its tests run, removed after. */
export interface TempDir {
  /** The directory (only valid inside tests and hooks). */
  readonly path: string;
  /** Writes `text` to `name` in the directory and returns the file's path. */
  write(name: string, text: string): string;
}

export function useTempDir(prefix: string): TempDir {
  let directory: string | null = null;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    if (directory !== null) fs.rmSync(directory, { recursive: true, force: true });
  });
  const temp: TempDir = {
    get path(): string {
      if (directory === null) throw new Error('useTempDir: the directory exists only inside tests and hooks');
      return directory;
    },
    write(name, text) {
      const file = path.join(temp.path, name);
      fs.writeFileSync(file, text);
      return file;
    },
  };
  return temp;
}
