/**
 * Command ids the activation shell (src/extension.ts) registers as stubs besides package.json's
 * `contributes.commands`: the features register them too (src/features.ts), and code and tests call them.
 */

/** Commands code calls (CodeLens, quick fixes, tests): config rule levels and the config description. */
export const INTERNAL_COMMANDS = ['llmTraining.config.setRuleLevel', 'llmTraining.config.describe'] as const;

/** Commands registered only in development and test runs (context key `llmTraining.testHooks`). */
export const TEST_HOOK_COMMANDS = ['llmTraining.checkpoints.detailsState', 'llmTraining.checkpoints.confirmResumeForTests', 'llmTraining.checkpoints.pollingForTests'] as const;
