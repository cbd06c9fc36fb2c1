/**
 * The RunsBackend over `src/remote` (hosts, runners, run lifecycle, LogFollower, nvidia-smi) and
 * `src/core/metrics` (feeds). Runners are cached per host alias and rebuilt when the host settings change.
 */
import * as vscode from 'vscode';
import * as os from 'node:os';
import * as path from 'node:path';
import { listHosts, openRunner } from '../../remote/hosts';
import { launchRun, listRuns, removeRun, renameRun, stopRun, isRunActive, runSettingsOf, waitForRun } from '../../remote/runs';
import { LogFollower } from '../../remote/logFollower';
import { gpuStatus } from '../../remote/gpu';
import { uploadChanged } from '../../remote/upload';
import { ConnectionPool } from '../../remote/connection';
import type { Runner } from '../../remote/types';
import type { MetricsFeed } from '../../core/metrics/types';
import type { RunsBackend, HostEntry, LogFollow, LogFollowHandlers } from './backend';
import { PassphraseStore, askKeyboardInteractive, askPassword, confirmUnknownHostKey } from './prompts';
import { createMetricsFeed, type WritableMetricsFeed } from '../../core/metrics';

/** Settings the backend reads, resolved (`~` expanded). */
export function hostSettings(): { sshConfigPath?: string; extraHosts: string[] } {
  const cfg = vscode.workspace.getConfiguration('llmTraining');
  const file = cfg.get<string>('sshConfigFile', '').trim();
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p);
  return { sshConfigPath: file ? expand(file) : undefined, extraHosts: cfg.get<string[]>('hosts', []).filter((h) => typeof h === 'string' && h.trim()).map((h) => h.trim()) };
}

export function createBackend(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): RunsBackend {
  const runners = new Map<string, Promise<Runner>>();
  let pool: ConnectionPool | undefined;
  const dropRunners = () => {
    for (const r of runners.values()) void r.then((x) => x.dispose(), () => undefined);
    runners.clear();
    pool?.dispose();
    pool = undefined;
  };
  const configSub = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('llmTraining.hosts') || e.affectsConfiguration('llmTraining.sshConfigFile')) dropRunners();
  });

  const passphrases = new PassphraseStore(context.secrets);
  // The SSH layer's UI hooks: unknown host keys and secrets are asked in VS Code; a changed key never reaches here.
  const callbacks = {
    hostKeyPrompt: confirmUnknownHostKey,
    passphrase: (i: { keyPath: string; host: string }) => passphrases.get(i.keyPath, i.host),
    // A wrong passphrase (typed or kept) is forgotten, so the next connection asks again instead of skipping the key.
    passphraseRejected: async (i: { keyPath: string; host: string }) => {
      await passphrases.forget(i.keyPath);
      log.warn(`the passphrase of ${i.keyPath} does not decrypt it: forgotten, it will be asked again`);
      void vscode.window.showWarningMessage(`Wrong passphrase for ${i.keyPath} (${i.host}). It was not kept; the next connection asks again.`);
    },
    password: (i: { host: string; user: string }) => askPassword(i.host, i.user),
    keyboardInteractive: (i: { host: string; user: string; name: string; instructions: string; prompts: { prompt: string; echo: boolean }[] }) => askKeyboardInteractive(`${i.user}@${i.host}`, i.name, i.instructions, i.prompts),
    log: (m: string) => log.debug(m),
  };
  const getRunner = (alias: string): Promise<Runner> => {
    let r = runners.get(alias);
    if (!r) {
      const s = hostSettings();
      if (!pool) {
        // One SSH connection per host, shared by the tree, followers and launches; it reconnects by itself.
        pool = new ConnectionPool({ sshConfigPath: s.sshConfigPath, callbacks });
        for (const ev of ['connected', 'lost', 'reconnected'] as const) pool.on(ev, (i: { alias: string; reason?: string }) => log.info(`ssh ${i.alias}: ${ev}${i.reason ? `: ${i.reason}` : ''}`));
      }
      const hostContext = { sshConfigPath: s.sshConfigPath, localHome: process.env.LLMTRAIN_LOCAL_HOME, callbacks, pool };
      r = Promise.resolve().then(() => openRunner(alias, hostContext));
      r.catch(() => runners.delete(alias));
      runners.set(alias, r);
    }
    return r;
  };

  return {
    async listHosts(): Promise<HostEntry[]> {
      const s = hostSettings();
      const hosts = await listHosts({ sshConfigPath: s.sshConfigPath, extraHosts: s.extraHosts });
      return hosts.map((h) => ({
        alias: h.alias,
        source: h.kind === 'local' ? 'local' : h.source === 'settings' ? 'settings' : 'ssh-config',
        detail: h.kind === 'local' ? undefined : `${h.user ? `${h.user}@` : ''}${h.hostName ?? h.alias}${h.port && h.port !== 22 ? `:${h.port}` : ''}${h.proxyJump?.length ? ` via ${h.proxyJump.join(' → ')}` : ''}`,
      }));
    },
    getRunner,
    launchRun: (runner, spec) => launchRun(runner, spec),
    listRuns: (runner) => listRuns(runner),
    removeRun: (runner, run) => removeRun(runner, run.id),
    renameRun: (runner, run, name) => renameRun(runner, run.id, name),
    async stopRun(runner, run, onProgress) {
      return (await stopRun(runner, run.id, { onProgress })).run;
    },
    follow(runner, run, fromOffset, h: LogFollowHandlers): LogFollow {
      const f = new LogFollower({
        // Re-asked after each failure: a dropped SSH connection gets a fresh runner from the cache.
        runner: async () => getRunner(run.host),
        path: run.logPath,
        fromOffset,
        isActive: async () => isRunActive(await getRunner(run.host).catch(() => runner), run),
      });
      let stopped = false;
      f.on('data', (chunk: Uint8Array, at: number) => h.onChunk(chunk, at + chunk.length));
      f.on('status', (s: { kind: string; message?: string }) => log.info(`${run.id}: follower ${s.kind}${s.message ? `: ${s.message}` : ''}`));
      void f.done.then((r) => h.onEnd({ error: r.error, stopped }));
      f.start();
      return { stop: () => { stopped = true; f.stop(); } };
    },
    waitForRun: (runner, run, signal) => waitForRun(runner, run, { signal }),
    queryGpus: (runner) => gpuStatus(runner),
    async uploadChanged(runner, localDir, remoteDir, signal) {
      // Cancellation between files: a file is written whole or not at all.
      const r = await uploadChanged(runner, localDir, remoteDir, { onFile: (rel, bytes) => { log.debug(`uploaded ${rel} (${bytes} B)`); if (signal?.aborted) throw new Error('upload cancelled'); } });
      if (r.skipped.length) log.info(`upload skipped (deleted locally): ${r.skipped.join(', ')}`);
      return r.uploaded.length;
    },
    createFeed: (runId, title, fileName = 'output.log'): MetricsFeed => createMetricsFeed(runId, title, { fileName }),
    runSettings: (runner, run) => runSettingsOf(runner, run),
    pushChunk: (feed, bytes, untimed) => { (feed as WritableMetricsFeed).pushChunk(bytes, untimed); },
    endFeed: (feed) => { (feed as WritableMetricsFeed).end(); },
    dispose() { configSub.dispose(); dropRunners(); },
  };
}
