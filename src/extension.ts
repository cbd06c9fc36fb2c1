import * as vscode from 'vscode';
import { registerRuns, type RunsApi } from './views/runs';
import { registerMetrics } from './views/metrics';
import { registerConfigValidation } from './views/config';
import { FilesService } from './views/files';
import { registerCheckpoints, type CheckpointsTreeProvider } from './views/checkpoint';
import { registerOnnx } from './views/onnx';
import { registerDatasets } from './views/dataset';
import { registerTokenizer } from './views/tokenizer';

/** What activate() returns: services the integration tests read (not a stable public API). */
export interface ExtensionApi { runs: RunsApi; files: FilesService; checkpoints: CheckpointsTreeProvider }

/** Builds the services and registers every feature. Nothing else happens here. */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('LLM Training Studio', { log: true });
  context.subscriptions.push(log);
  const config = registerConfigValidation(context, log);
  const runs = registerRuns(context, log);
  config.useHostRunners((host) => runs.backend.getRunner(host));
  // A config's launch directory from the local runs that ran it (their run.json), as the Runs view reads them.
  config.useLocalRuns(() => runs.tree.loadedRuns().filter((h) => h.host === 'local').flatMap((h) => h.runs), () => runs.tree.runsOf('local'), runs.tree.onDidLoadRuns);
  const files = new FilesService((host) => runs.backend.getRunner(host));
  files.register(context);
  registerMetrics(context, log, runs.feeds, (host) => files.forHost(host));
  const checkpoints = registerCheckpoints(context, log, files, runs);
  registerOnnx(context, files, runs, log);
  registerDatasets(context, log, files);
  registerTokenizer(context, files, log);
  log.info('activated');
  return { runs, files, checkpoints };
}

export function deactivate(): void {}
