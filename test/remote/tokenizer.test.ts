/**
 * A tokenizer read over the loopback SSH host (real sshd): the model folder is on the "remote" side, read through
 * `runnerFileAccess(SshRunner)` range reads, and encodes exactly as the local copy does. The inspector's encode
 * worker has no SSH connection: it loads from the reads recorded during the SSH load, and encodes the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import { runnerFileAccess, localFileAccess } from '../../src/remote/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { checkTokenizer } from '../../src/core/tokenizer/checks';
import { recordingFileAccess, replayFileAccess } from '../../src/core/tokenizer/fileSnapshot';

const FIX = join(__dirname, '..', 'fixtures', 'tokenizer');

test('opens a TinyLlama model folder over SSH and encodes like the local copy', async () => {
  const env = await startSshEnv();
  try {
    const folder = join(env.dir, 'tinyllama');
    mkdirSync(folder);
    chmodSync(folder, 0o755);
    for (const [from, to] of [['tinyllama__bpe-bytefallback.tokenizer.json', 'tokenizer.json'], ['tinyllama__special_tokens_map.json', 'special_tokens_map.json'], ['tinyllama__chat_template.jinja', 'chat_template.jinja']]) {
      copyFileSync(join(FIX, from), join(folder, to));
      chmodSync(join(folder, to), 0o644);
    }
    const remote = runnerFileAccess(env.runner(env.pool()));
    assert.notEqual(remote.host, 'local');
    const tok = await loadTokenizer(remote, folder);
    assert.equal(tok.host, remote.host);
    const local = await loadTokenizer(localFileAccess(), folder);
    const text = 'Über 训练 🙂 </s> ok';
    assert.deepEqual(tok.encode(text), local.encode(text));
    assert.deepEqual(tok.encode('Hello world!').ids, [1, 15043, 3186, 29991]);
    assert.ok(tok.renderChat);
    assert.deepEqual(checkTokenizer({ tokenizer: tok, sources: tok.sources }).map((p) => p.code).sort(), ['legacy-space-after-special', 'merges-as-pairs', 'pad-equals-eos']);
    // what the inspector hands its encode worker: the SSH reads, recorded, replayed without the connection
    const rec = recordingFileAccess(remote);
    const recorded = await loadTokenizer(rec.files, folder);
    const replayed = await loadTokenizer(replayFileAccess(rec.snapshot()), folder);
    assert.equal(replayed.host, remote.host);
    assert.deepEqual(replayed.encode(text), recorded.encode(text));
    assert.deepEqual(replayed.encode(text), local.encode(text));
  } finally { await env.cleanup(); }
});
