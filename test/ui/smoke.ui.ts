// UI smoke test: the workbench shows the extension's commands in the command palette.
import * as assert from 'node:assert/strict';
import { workbench } from './workbench';

suite('workbench smoke', () => {
  test('the command palette lists "LLM Training: Launch Run…"', async () => {
    const wb = workbench();
    const labels = await wb.commandPaletteLabels('LLM Training: Launch', (l) => l.includes('LLM Training: Launch Run…'));
    await wb.screenshot('command-palette-launch-run');
    await wb.closeQuickInput();
    assert.equal(labels[0], 'LLM Training: Launch Run…', 'the best match is listed first');
  });
});
