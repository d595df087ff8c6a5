#!/usr/bin/env bash
# Started by playwright.config.ts (webServer). Serves a throw-away copy of notebooks/ and the
# browser fixtures from build/browser-root/ with the project's own JupyterLab (.venv).
# build/ is git-ignored and lives inside the repo, so the tslab kernel (cwd = notebook folder)
# still resolves `mha-lab` through /work/main/node_modules by walking up.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${MHA_BROWSER_PORT:?MHA_BROWSER_PORT is not set}"
root="build/browser-root"
if [ ! -x .venv/bin/jupyter ]; then
  echo "serve.sh: .venv/bin/jupyter is missing; run 'npm run setup' first" >&2
  exit 1
fi
rm -rf "$root"
mkdir -p "$root"
cp -r notebooks "$root/notebooks"
cp -r test/browser/fixtures "$root/fixtures"
# Notebooks may read repo files by relative path (e.g. ../test/fixtures/...): mirror the other
# top-level entries as symlinks, so ../X from build/browser-root/notebooks/ finds the same files.
for entry in * .[!.]*; do
  case "$entry" in
    notebooks|build|node_modules|screenshots|.git|.venv|.venv-ref|.ipynb_checkpoints|fixtures) continue ;;
  esac
  [ -e "$entry" ] && ln -s "$PWD/$entry" "$root/$entry"
done
find "$root" -name .ipynb_checkpoints -prune -exec rm -rf {} +
export JUPYTERLAB_GALATA_ROOT_DIR="$PWD/$root"
exec .venv/bin/jupyter lab \
  --config test/browser/jupyter_server_test_config.py \
  --ServerApp.root_dir="$PWD/$root" \
  --ServerApp.ip=127.0.0.1 \
  --ServerApp.port="$port" \
  --ServerApp.port_retries=0 \
  --no-browser
