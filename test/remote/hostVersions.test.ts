/**
 * Issue 15, "Version awareness": the framework versions installed in a host's Python, read with one `python -c`
 * (importlib.metadata) through the one spec runner, locally and over the loopback sshd. A real venv
 * (`python3 -m venv`) with real releases installed by pip (`--no-deps`: only their metadata matters here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LocalRunner } from '../../src/remote/localRunner';
import { InstalledVersionsCache, probeInstalledVersions } from '../../src/remote/pythonVersions';
import { installedAsDetected, mergeVersions, detectVersions, frameworkVersionLabel } from '../../src/core/config/versions';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import { cli } from '../fixtures/remote/cli';

const PEFT = '0.21.0';
const TRL = '1.13.0';

/** A venv under `dir` with peft and trl installed; the reason when that is impossible here (no venv module, no package index). */
function makeVenv(dir: string): { python: string } | { skip: string } {
  const venv = join(dir, 'venv');
  const mk = spawnSync('/usr/bin/python3', ['-m', 'venv', venv], { encoding: 'utf8' });
  if (mk.status !== 0) return { skip: `python3 -m venv failed: ${mk.stderr.trim().split('\n').pop()}` };
  const pip = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', '--no-deps', '--retries', '0', '--timeout', '10', `peft==${PEFT}`, `trl==${TRL}`], { encoding: 'utf8' });
  if (pip.status !== 0) return { skip: `pip install peft==${PEFT} trl==${TRL} failed: ${pip.stderr.trim().split('\n').pop()}` };
  return { python: join(venv, 'bin', 'python') };
}

test('a local venv: the installed trl and peft, nothing for what is not installed; a missing interpreter says why', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-hostver-'));
  try {
    const v = makeVenv(dir);
    if ('skip' in v) { t.skip(v.skip); return; }
    const runner = new LocalRunner();
    const got = await probeInstalledVersions(runner, v.python);
    assert.deepEqual(got.packages, { peft: PEFT, trl: TRL });
    assert.equal(got.executable, v.python);
    assert.match(got.python, /^3\.\d+\.\d+$/);
    // The host's Python wins over a lock file, the setting over both (docs/validate.md).
    const files = detectVersions([{ path: '/w/uv.lock', text: '[[package]]\nname = "trl"\nversion = "0.19.1"\n\n[[package]]\nname = "transformers"\nversion = "4.56.0"\n' }]);
    const merged = mergeVersions(files, installedAsDetected(got, 'local'));
    assert.deepEqual(merged.trl, { version: TRL, source: `Python environment: ${v.python} on local` });
    assert.deepEqual(merged.transformers, { version: '4.56.0', source: '/w/uv.lock' });
    assert.deepEqual(frameworkVersionLabel('hf-trainer', merged), { text: `TRL ${TRL}`, source: `Python environment: ${v.python} on local` });
    assert.equal(mergeVersions(files, installedAsDetected(got, 'local'), { trl: { version: '0.24.0', source: 'setting' } }).trl.version, '0.24.0');
    // Cached per host + interpreter, failures included.
    let calls = 0;
    const cache = new InstalledVersionsCache((r, py) => { calls++; return probeInstalledVersions(r, py); });
    const [a, b] = await Promise.all([cache.get(runner, v.python), cache.get(runner, v.python)]);
    assert.equal(calls, 1);
    assert.deepEqual(a, b);
    assert.equal(a.ok && a.versions.packages.trl, TRL);
    const missing = await cache.get(runner, join(dir, 'no-such-python'));
    assert.equal(missing.ok, false);
    assert.match(!missing.ok ? missing.reason : '', /no-such-python exited with status 127/);
    await cache.get(runner, join(dir, 'no-such-python'));
    assert.equal(calls, 2);

    // llmtrain validate --python: the venv's trl (1.13.0) wins over the uv.lock beside the config (0.19.1), so a key
    // TRL added in 0.25.1 is no longer a key-version error; a missing interpreter is said and the lock file decides.
    const proj = join(dir, 'proj');
    mkdirSync(proj);
    const fx = join(__dirname, '..', 'fixtures', 'workspace', 'locked');
    copyFileSync(join(fx, 'uv.lock'), join(proj, 'uv.lock'));
    writeFileSync(join(proj, 'sft.yaml'), `${readFileSync(join(fx, 'trl-cli-sft.yaml'), 'utf8')}cast_lm_head_to_fp32: true\n`);
    const lockOnly = await cli(['validate', join(proj, 'sft.yaml'), '--format', 'json']);
    assert.equal(lockOnly.code, 1);
    assert.deepEqual(JSON.parse(lockOnly.stdout.toString()).map((i: { code: string; line: number }) => `${i.code}@${i.line}`), ['key-version@19']);
    const withPython = await cli(['validate', join(proj, 'sft.yaml'), '--format', 'json', '--python', v.python]);
    assert.equal(withPython.code, 0, withPython.stderr.toString());
    assert.deepEqual(JSON.parse(withPython.stdout.toString()), []);
    const badPython = await cli(['validate', join(proj, 'sft.yaml'), '--python', join(dir, 'no-such-python')]);
    assert.equal(badPython.code, 1);
    assert.match(badPython.stderr.toString(), /--python: .*no-such-python exited with status 127.*; using the versions of the dependency files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('over the loopback sshd: the same venv, read on the SSH host with argv quoted by the runner', async (t) => {
  const env = await startSshEnv();
  try {
    const dir = join(env.work, 'py');
    spawnSync('mkdir', ['-p', dir]);
    const v = makeVenv(dir);
    if ('skip' in v) { t.skip(v.skip); return; }
    const runner = env.runner(env.pool());
    const got = await probeInstalledVersions(runner, v.python);
    assert.deepEqual(got.packages, { peft: PEFT, trl: TRL });
    assert.equal(installedAsDetected(got, runner.host).trl.source, `Python environment: ${v.python} on target`);
    // A path with a space and a quote reaches the host as one word.
    await assert.rejects(probeInstalledVersions(runner, join(dir, "it's a python")), /it's a python exited with status 127/);
  } finally {
    await env.cleanup();
  }
});
