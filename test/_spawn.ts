/**
 * spawnSync without blocking the event loop, for test hooks and tests that run a child for long.
 *
 * A vitest worker answers its runner over RPC; a spawnSync of over 60 s blocks that and vitest fails the whole run
 * with "Timeout calling onTaskUpdate" even when every test passed (it failed the handouts stage once this way).
 */
import { spawn, type SpawnOptions } from "child_process";

export interface SpawnResult {
  /** the exit code, or null when killed (by `timeout`) */ status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` asynchronously; resolves with its exit status and output. Killed (SIGTERM) after `timeout` ms. */
export function spawnAsync(command: string, args: string[], options: SpawnOptions & { timeout?: number } = {}): Promise<SpawnResult> {
  const { timeout, ...rest } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...rest, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = timeout ? setTimeout(() => child.kill("SIGTERM"), timeout) : null;
    child.on("error", reject);
    child.on("close", (status) => {
      if (timer) clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
