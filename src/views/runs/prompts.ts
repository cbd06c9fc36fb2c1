import * as vscode from 'vscode';

/** What the SSH layer knows about a host key it cannot find in known_hosts (`HostKeyPromptInfo` of src/remote). */
export interface HostKeyInfo { alias?: string; host: string; port: number; keyType: string; fingerprint: string; knownHostsFile?: string }

/**
 * Asks whether to trust an unknown host key. Modal, shows the SHA256 fingerprint (as `ssh-keygen -lf` prints it)
 * so the user can compare it with what the admin published. Resolves true only on an explicit "Trust".
 */
export async function confirmUnknownHostKey(k: HostKeyInfo): Promise<boolean> {
  const where = k.port === 22 ? k.host : `[${k.host}]:${k.port}`;
  const choice = await vscode.window.showWarningMessage(
    `The authenticity of host '${where}'${k.alias && k.alias !== k.host ? ` (${k.alias})` : ''} can't be established.`,
    {
      modal: true,
      detail: `${k.keyType} key fingerprint is\n${k.fingerprint}\n\nCompare it with the fingerprint your cluster admin published (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${k.keyType.replace(/^ssh-/, '').replace(/-.*$/, '')}_key.pub). Trusting adds it to ${k.knownHostsFile ?? 'known_hosts'}.`,
    },
    'Trust and Connect',
  );
  return choice === 'Trust and Connect';
}

/**
 * Tells the user a host's key differs from the one in known_hosts and refuses the connection. There is no button to
 * accept it: if the change is expected, the known_hosts line must be removed by hand (`ssh-keygen -R host`).
 */
export async function reportChangedHostKey(k: HostKeyInfo & { expectedFingerprint?: string; line?: number }): Promise<void> {
  const where = k.port === 22 ? k.host : `[${k.host}]:${k.port}`;
  await vscode.window.showErrorMessage(
    `WARNING: the host key of '${where}' has changed. The connection was refused.`,
    {
      modal: true,
      detail: `Someone could be intercepting the connection, or the host was reinstalled.\n\nOffered ${k.keyType}: ${k.fingerprint}${k.expectedFingerprint ? `\nExpected: ${k.expectedFingerprint}` : ''}\n\nIf the change is expected, remove the old key (ssh-keygen -R '${where}'${k.knownHostsFile ? ` -f ${k.knownHostsFile}` : ''}${k.line ? `, line ${k.line}` : ''}) and connect again.`,
    },
  );
}

const secretKey = (keyPath: string) => `llmTraining.ssh.passphrase:${keyPath}`;

/**
 * Passphrase of an encrypted private key: from SecretStorage if the user chose to keep it, else asked once
 * (password box). After a successful prompt the user is offered to keep it in SecretStorage (OS keychain);
 * nothing is kept without a yes. `forget` drops a stored one (called when it no longer decrypts the key).
 */
export class PassphraseStore {
  /** Passphrases typed this session but not kept: asked once per key per session. */
  private readonly session = new Map<string, string>();
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(keyPath: string, host: string): Promise<string | undefined> {
    const kept = this.session.get(keyPath) ?? (await this.secrets.get(secretKey(keyPath)));
    if (kept !== undefined) return kept;
    const typed = await vscode.window.showInputBox({
      title: `SSH key passphrase for ${host}`,
      prompt: `Passphrase of ${keyPath}`,
      password: true,
      ignoreFocusOut: true,
    });
    if (typed === undefined) return undefined;
    this.session.set(keyPath, typed);
    void vscode.window.showInformationMessage(`Keep the passphrase of ${keyPath} in VS Code's secret storage (the OS keychain)?`, 'Keep', 'Only this session').then(async (c) => {
      if (c === 'Keep') await this.secrets.store(secretKey(keyPath), typed);
    });
    return typed;
  }

  async forget(keyPath: string): Promise<void> {
    this.session.delete(keyPath);
    await this.secrets.delete(secretKey(keyPath));
  }
}

/** Password or keyboard-interactive prompts (`prompts` as the server sends them); never stored. */
export async function askKeyboardInteractive(host: string, name: string, instructions: string, prompts: { prompt: string; echo: boolean }[]): Promise<string[] | undefined> {
  const answers: string[] = [];
  for (const p of prompts) {
    const a = await vscode.window.showInputBox({ title: `${host}${name ? `: ${name}` : ''}`, prompt: [instructions, p.prompt].filter(Boolean).join(' — '), password: !p.echo, ignoreFocusOut: true });
    if (a === undefined) return undefined;
    answers.push(a);
  }
  return answers;
}

/** Password for `user@host`; asked each time it is needed, never stored. */
export async function askPassword(host: string, user: string): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: `SSH password for ${user}@${host}`, prompt: 'Not stored: asked again on the next connection', password: true, ignoreFocusOut: true });
}

/**
 * Shows the modal for a refused changed host key, once per host and session, when `err` is src/remote's
 * `HostKeyError` with verdict `changed`/`revoked`. Returns true when it was such an error.
 */
const reported = new Set<string>();
export function reportHostKeyError(err: unknown): boolean {
  const e = err as { name?: string; verdict?: { status?: string; keyType?: string; fingerprint?: string; knownFingerprints?: string[]; file?: string; line?: number }; host?: string; port?: number };
  if (e?.name !== 'HostKeyError' || !e.verdict || (e.verdict.status !== 'changed' && e.verdict.status !== 'revoked')) return false;
  const key = `${e.host}:${e.port}:${e.verdict.fingerprint}`;
  if (reported.has(key)) return true;
  reported.add(key);
  void reportChangedHostKey({ host: e.host ?? '?', port: e.port ?? 22, keyType: e.verdict.keyType ?? '?', fingerprint: e.verdict.fingerprint ?? '?', expectedFingerprint: e.verdict.knownFingerprints?.join(', '), knownHostsFile: e.verdict.file, line: e.verdict.line });
  return true;
}
