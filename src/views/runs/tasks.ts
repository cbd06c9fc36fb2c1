import * as vscode from 'vscode';
import type { RunsContext } from './context';
import { launch, checkLaunchArgs } from './launch';
import { quoteArgv } from '../../core/runs/quote';

/** `tasks.json` shape of a run: `{ "type": "llm-training", "host": "local", "argv": [...], "cwd": "...", "env": {...} }`. */
export interface LlmTrainingTaskDefinition extends vscode.TaskDefinition {
  type: 'llm-training';
  host?: string;
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  name?: string;
}
export const TASK_TYPE = 'llm-training';

/**
 * TaskProvider for `llm-training` tasks. It provides no tasks of its own (runs are defined in tasks.json);
 * `resolveTask` gives each one a CustomExecution whose Pseudoterminal launches the run detached on the host,
 * streams output.log into the terminal as it grows, and closes with the run's exit code. Closing the terminal
 * detaches only: the run keeps going on the host (stop it from the Runs view).
 */
export class RunTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: RunsContext) {}
  provideTasks(): vscode.Task[] { return []; }
  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as LlmTrainingTaskDefinition;
    if (def.type !== TASK_TYPE) return undefined;
    return new vscode.Task(def, task.scope ?? vscode.TaskScope.Workspace, task.name, TASK_TYPE,
      new vscode.CustomExecution(async (resolved) => new RunPty(this.ctx, resolved as LlmTrainingTaskDefinition)));
  }
}

class RunPty implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closer.event;
  private readonly subs: vscode.Disposable[] = [];
  private readonly cts = new vscode.CancellationTokenSource();
  private readonly decoder = new TextDecoder();

  constructor(private readonly ctx: RunsContext, private readonly def: LlmTrainingTaskDefinition) {}

  open(): void { void this.start(); }

  private out(text: string): void { this.write.fire(text.replace(/\r?\n/g, '\r\n')); }

  private async start(): Promise<void> {
    try {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const host = this.def.host ?? 'local';
      const args = checkLaunchArgs({ host, cwd: this.def.cwd ?? (host === 'local' ? folder : undefined) ?? '~', argv: this.def.argv, env: this.def.env, name: this.def.name });
      this.out(`\x1b[2m$ ${quoteArgv(args.argv)}   (${host}:${args.cwd})\x1b[0m\n`);
      // Subscribe before launching so the first bytes are not missed.
      let runId: string | undefined;
      this.subs.push(this.ctx.feeds.onDidReadLog(({ runId: id, bytes }) => {
        if (id === runId) this.out(this.decoder.decode(bytes, { stream: true }));
      }));
      this.subs.push(this.ctx.feeds.onDidStopFollowing(({ entry, error }) => {
        if (entry.runId !== runId) return;
        if (error) { this.out(`\n\x1b[33mstopped following: ${error} (Re-attach from the Runs view resumes at byte ${entry.offset})\x1b[0m\n`); this.closer.fire(1); return; }
        void this.finish(entry.runId, host);
      }));
      // `onRun` fires before the follower starts, so the terminal sees the log from its first byte.
      const run = await launch(this.ctx, args, { token: this.cts.token, onRun: (r) => { runId = r.id; this.out(`\x1b[2mrun ${r.id}, log ${r.logPath}\x1b[0m\n`); } });
      if (!this.ctx.feeds.entry(run.id)?.following) void this.finish(run.id, host);
    } catch (err) {
      this.out(`\x1b[31m${err instanceof Error ? err.message : String(err)}\x1b[0m\n`);
      this.closer.fire(1);
    }
  }

  private async finish(runId: string, host: string): Promise<void> {
    const runner = await this.ctx.backend.getRunner(host);
    const run = (await this.ctx.backend.listRuns(runner)).find((r) => r.id === runId);
    const code = run?.exitCode ?? (run?.state === 'finished' ? 0 : 1);
    this.out(`\n\x1b[2mrun ${runId} ${run?.state ?? 'ended'}${run?.exitCode !== undefined ? ` with exit code ${run.exitCode}` : ''}\x1b[0m\n`);
    this.closer.fire(code);
  }

  handleInput(): void {}
  // Closing the terminal detaches; the run continues on the host.
  close(): void { this.cts.cancel(); for (const s of this.subs) s.dispose(); }
}
