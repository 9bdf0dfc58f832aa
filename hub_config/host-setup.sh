#!/usr/bin/env bash
# Install what the host needs to run Code Runner and make sure a Docker daemon answers.
# Idempotent: installs only what is missing. As root on Debian/Ubuntu it uses apt-get;
# elsewhere it prints what to install.
#
#   hub_config/host-setup.sh [STATE_DIR] [--browser] [--gvisor]
#
# --gvisor (or CODERUNNER_GVISOR=1) also installs gVisor's runsc and registers it with
# Docker as the runtime "runsc", for c.SandboxFactory.runtime = "runsc" (README, "gVisor
# (optional)"). Where that cannot be done it says why and goes on: sandboxes keep runc.
set -euo pipefail
log() { printf '[host] %s\n' "$*" >&2; }
state=.state
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  state="$1"
  shift
fi
want_browser=""
want_gvisor=""
[ "${CODERUNNER_GVISOR:-0}" = 0 ] || want_gvisor=--gvisor
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=--browser ;;
    --gvisor) want_gvisor=--gvisor ;;
    *) log "unknown option: $arg (hub_config/host-setup.sh [STATE_DIR] [--browser] [--gvisor])"; exit 2 ;;
  esac
done
mkdir -p "$state"

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

# gVisor for the grading sandboxes, only when asked. Never fatal: a host that cannot have
# it keeps runc, and the grading service's /health/ready says so if it is configured.
setup_gvisor() {
  local runsc
  runsc="$(command -v runsc || true)"
  if [ -z "$runsc" ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      log "gVisor: runsc is not installed; as root on Debian/Ubuntu run this script with"
      log "  --gvisor, or install it from https://gvisor.dev/docs/user_guide/install/"
      return 0
    fi
    log "gVisor: installing runsc"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends runsc >/dev/null 2>&1 &&
      ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends runsc >/dev/null; }; then
      log "gVisor: no runsc package here; see https://gvisor.dev/docs/user_guide/install/"
      return 0
    fi
    runsc="$(command -v runsc)"
  fi
  if docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    log "gVisor: register runsc with Docker: run this script with --gvisor as root"
    return 0
  fi
  log "gVisor: registering $runsc as the Docker runtime runsc in /etc/docker/daemon.json"
  # --network=none: sandboxes have no network anyway, and without it runsc refuses
  # Docker's "none" network here ("cannot run with network enabled in root network
  # namespace"); it also means runsc never starts a network stack at all.
  if ! python3 - "$runsc" <<'EOF'; then
import json, os, sys
path = "/etc/docker/daemon.json"
try:
    with open(path) as f:
        config = json.load(f)
except FileNotFoundError:
    config = {}
config.setdefault("runtimes", {})["runsc"] = {"path": sys.argv[1], "runtimeArgs": ["--network=none"]}
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
os.replace(path + ".tmp", path)
EOF
    log "gVisor: could not update /etc/docker/daemon.json (is it valid JSON?); sandboxes keep runc"
    return 0
  fi
  # Docker reloads its runtimes on SIGHUP; running containers are not touched.
  local pid
  pid="$(pidof dockerd || true)"
  if [ -z "$pid" ]; then
    log "gVisor: reload dockerd yourself (systemctl reload docker) to use runsc"
    return 0
  fi
  kill -HUP $pid
  for _ in $(seq 1 20); do
    docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"' && return 0
    sleep 0.25
  done
  log "gVisor: dockerd did not pick up runsc; reload it (systemctl reload docker)"
}

if [ -n "$want_gvisor" ]; then
  setup_gvisor
fi
