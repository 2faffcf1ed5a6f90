import { run } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process, capturing its output: `runCli(['run', 'scenarios/seed-example.yaml', '--json'])`. */
export async function runCli(argv: readonly string[], options: { env?: Record<string, string>; isTTY?: boolean } = {}): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
