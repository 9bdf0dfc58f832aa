#!/usr/bin/env bash
# Install what the host needs to run Code Runner and make sure a Docker daemon answers.
# Idempotent: installs only what is missing. As root on Debian/Ubuntu it uses apt-get;
# elsewhere it prints what to install.
#
#   hub_config/host-setup.sh [STATE_DIR] [--browser]
set -euo pipefail
state="${1:-.state}"
want_browser="${2:-}"
mkdir -p "$state"
log() { printf '[host] %s\n' "$*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "$want_browser" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # The guides' emoji in screenshots (a learner's own browser has an emoji font).
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    log "missing: ${need[*]}"
    log "install them with your package manager (Debian/Ubuntu: apt-get install ${need[*]})"
    exit 1
  fi
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "no Docker daemon answers; start it (e.g. systemctl start docker) and try again"
    exit 1
  fi
  log "starting dockerd (log: $state/dockerd.log)"
  nohup dockerd >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not start:"; tail -20 "$state/dockerd.log" >&2; exit 1; }
fi
