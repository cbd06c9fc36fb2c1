import * as vscode from 'vscode';
import { registerRuns, type RunsApi } from './views/runs';
import { registerMetrics } from './views/metrics';
import { registerConfigValidation } from './views/config';
import { FilesService } from './views/files';
import { registerCheckpoints, type CheckpointsTreeProvider } from './views/checkpoint';
import { registerOnnx } from './views/onnx';
import { registerDatasets } from './views/dataset';
import { registerTokenizer } from './views/tokenizer';
import type { RegistrationHost } from './views/registrationHost';

/** What activate() returns: services the integration tests read (not a stable public API). */
export interface ExtensionApi { runs: RunsApi; files: FilesService; checkpoints: CheckpointsTreeProvider }

/**
 * Builds the services and registers every feature. Nothing else happens here. Bundled as dist/features.js, which
 * src/extension.ts requires on the first use of any feature; `host` binds the registrations VS Code needs from
 * activation on to the placeholders src/extension.ts made (see src/views/registrationHost.ts).
 */
export function activateFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, host: RegistrationHost): ExtensionApi {
  const config = registerConfigValidation(context, log);
  const runs = registerRuns(context, log, host);
  config.useHostRunners((alias) => runs.backend.getRunner(alias));
  // A config's launch directory from the local runs that ran it (their run.json), as the Runs view reads them.
  config.useLocalRuns(() => runs.tree.loadedRuns().filter((h) => h.host === 'local').flatMap((h) => h.runs), () => runs.tree.runsOf('local'), runs.tree.onDidLoadRuns);
  const files = new FilesService((alias) => runs.backend.getRunner(alias));
  files.register(context, host);
  registerMetrics(context, log, runs.feeds, (alias) => files.forHost(alias), host);
  const checkpoints = registerCheckpoints(context, log, files, runs, host);
  registerOnnx(context, files, runs, log, host);
  registerDatasets(context, log, files);
  registerTokenizer(context, files, log, host);
  log.info('features loaded');
  return { runs, files, checkpoints };
}

