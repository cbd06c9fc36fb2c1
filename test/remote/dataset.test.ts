/**
 * Dataset checks over the loopback SSH host (real sshd): the dataset, its Axolotl config and the tokenizer live on
 * the "remote" side and are read through `runnerFileAccess(SshRunner)` range reads (small chunks, so many reads);
 * the report equals the local one. Then `llmtrain data --host` on the same files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import { runnerFileAccess, localFileAccess } from '../../src/remote/files';
import { checkWithPlan } from '../../src/core/dataset';
import { runData } from '../../src/cli/data';
import { sftDemoJsonl } from '../fixtures/dataset/defects';

const TOK = join(__dirname, '..', 'fixtures', 'tokenizer', 'tinyllama__bpe-bytefallback.tokenizer.json');

test('a dataset named by a config on an SSH host: same report as the local copy; llmtrain data --host', async () => {
  const env = await startSshEnv();
  try {
    const data = join(env.dir, 'train.jsonl'), cfg = join(env.dir, 'ax.yml'), tok = join(env.dir, 'tokenizer.json');
    writeFileSync(data, sftDemoJsonl());
    writeFileSync(cfg, `tokenizer_config: ./tokenizer.json\ndatasets:\n  - path: ./train.jsonl\n    type: alpaca\nsequence_len: 512\nmicro_batch_size: 2\ngradient_accumulation_steps: 4\n`);
    copyFileSync(TOK, tok);
    for (const p of [data, cfg, tok]) chmodSync(p, 0o644);
    const remote = runnerFileAccess(env.runner(env.pool()));
    const r = await checkWithPlan(remote, data, { configPath: cfg });
    const l = await checkWithPlan(localFileAccess(), data, { configPath: cfg });
    assert.equal(r.host, remote.host);
    assert.equal(r.rows, 71);
    assert.deepEqual(r.problems.filter((p) => p.line).map((p) => [p.line, p.code]), [[4, 'invalid-json'], [6, 'empty-field'], [7, 'wrong-type'], [8, 'missing-field'], [9, 'not-an-object']]);
    const strip = (x: typeof r) => ({ ...x, host: '', elapsedMs: 0 });
    assert.deepEqual(strip(r), strip(l));
    assert.ok(r.tokens && r.tokens.dropped > 0 && r.tokens.limit === 512);

    let out = '', err = '';
    const code = await runData([data, '--config', cfg, '--host', 'target', '--ssh-config', env.configPath, '--known-hosts', env.knownHostsPath, '--format', 'json'], (s) => { out += s; }, (s) => { err += s; });
    assert.equal(code, 1, err);
    const j = JSON.parse(out);
    assert.equal(j.rows, 71);
    assert.equal(j.tokens.dropped, r.tokens!.dropped);
    assert.deepEqual([j.duplicates.exact, j.duplicates.near], [1, 1]);
  } finally { await env.cleanup(); }
});
