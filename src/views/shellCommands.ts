/**
 * Command ids the activation shell (src/extension.ts) registers as stubs besides package.json's
 * `contributes.commands`: the features register them too (src/features.ts), and code and tests call them.
 */

/** Commands code calls (CodeLens, quick fixes, tests): config rule levels and the config description. */
export const INTERNAL_COMMANDS = ['llmTraining.config.setRuleLevel', 'llmTraining.config.describe'] as const;

/**
 * globalState key: when failure notices began (ISO time). The shell writes it at the first activation, not the
 * features when they first load (on first use, maybe long after), so a run that fails in between is still notified
 * (src/views/runs/failureNotices.ts).
 */
export const FAILURE_NOTICES_SINCE_KEY = 'llmTraining.runs.failureNoticesSince';

/**
 * Whether development and test hooks are on: an extension run in development or test mode, or LLM_TRAINING_TEST_HOOKS=1
 * (the .vsix smoke test). The shell sets the context key `llmTraining.testHooks` from it.
 */
export function testHooksOn(mode: number, env: NodeJS.ProcessEnv = process.env): boolean {
  return mode !== 1 /* vscode.ExtensionMode.Production */ || env.LLM_TRAINING_TEST_HOOKS === '1';
}

/** Commands registered only in development and test runs (context key `llmTraining.testHooks`). */
export const TEST_HOOK_COMMANDS = ['llmTraining.checkpoints.detailsState', 'llmTraining.checkpoints.confirmResumeForTests', 'llmTraining.checkpoints.pollingForTests'] as const;
