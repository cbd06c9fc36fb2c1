/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false, or throws after `timeoutMs`
 * naming `what` (with the last error the probe threw, if any). Shared by the extension-host suites
 * (test/integration/helpers.ts) and the workbench-driving UI tests (test/ui/workbench.ts), each with its defaults.
 */
export async function poll<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, intervalMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) { lastError = err; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
