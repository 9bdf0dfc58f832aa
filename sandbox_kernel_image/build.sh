#!/usr/bin/env bash
# Build the learner/sandbox image; print its tag. Reuses images by content hash.
#
#   sandbox_kernel_image/build.sh [STATE_DIR]
#
# Env: BASE_IMAGE (skip the Debian base and start from this image instead),
#      PYTHON (host interpreter used for pip), DEBIAN_SUITE (default bookworm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
state="${1:-$root/.state}"
python="${PYTHON:-python3}"
suite="${DEBIAN_SUITE:-bookworm}"
mkdir -p "$state"
log() { printf '[image] %s\n' "$*" >&2; }
hash_of() { sha256sum | cut -c1-12; }

# 1. Base image from Debian packages, unless BASE_IMAGE is given.
if [ -z "${BASE_IMAGE:-}" ]; then
  packages="$(grep -v '^#' "$here/base-packages.txt" | xargs | tr ' ' ',')"
  base_hash="$(printf '%s %s' "$suite" "$packages" | hash_of)"
  BASE_IMAGE="coderunner-base:$base_hash"
  if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "building $BASE_IMAGE with mmdebstrap ($suite: $packages)"
    mmdebstrap --quiet --variant=minbase --include="$packages" "$suite" - \
      | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
          - "$BASE_IMAGE" >/dev/null
  fi
fi
base_id="$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")"

# 2. Wheelhouse for the image's interpreter (bookworm: 3.11.2), made on the host.
py_version="$(docker run --rm --network none "$BASE_IMAGE" python3 -c \
  'import platform; print(platform.python_version())')"
req_hash="$(cat "$here/requirements.txt" <(echo "$py_version") | hash_of)"
wheelhouse="$state/wheelhouse-$req_hash"
if [ ! -f "$wheelhouse/.complete" ]; then
  log "downloading wheels for Python $py_version into $wheelhouse"
  rm -rf "$wheelhouse"; mkdir -p "$wheelhouse"
  "$python" -m pip download --quiet --only-binary=:all: --python-version "$py_version" \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux_2_28_x86_64 --platform any \
    -d "$wheelhouse" -r "$here/requirements.txt" 2>&1 | grep -v '^WARNING: Location' >&2 || true
  ls "$wheelhouse"/jupyterhub-*.whl >/dev/null
  touch "$wheelhouse/.complete"
fi

# 3. The project's own wheel (server extension + JupyterLab extension), rebuilt only when
#    its sources change: the image tag is a hash of everything that goes into it.
own_hash="$(cd "$root" && { git ls-files -co --exclude-standard pyproject.toml extension hub_config \
  grading_service labextension 2>/dev/null || find pyproject.toml extension hub_config grading_service \
  labextension -type f -not -path '*/node_modules/*'; } | sort -u \
  | while IFS= read -r f; do if [ -f "$f" ]; then cat "$f"; fi; done | hash_of)"  # deleted: skipped
lib_hash="$(cd "$here" && find learnerlib -type f -name '*.py' | sort | xargs cat | hash_of)"
tag_hash="$(cat "$here/Dockerfile" "$here/requirements.txt" <(echo "$base_id $req_hash $own_hash $lib_hash") | hash_of)"
image="coderunner-sandbox:$tag_hash"
# The release, as the wheel carries it; the image's label org.coderunner.version (the tag
# hash covers grading_service/, so a new version builds a new image).
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/grading_service/__init__.py")"
[ -n "$version" ] || { log "no __version__ in grading_service/__init__.py"; exit 1; }
if ! docker image inspect "$image" >/dev/null 2>&1; then
  ctx="$(mktemp -d)"; trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/wheelhouse"
  log "building the project wheel (npm builds the JupyterLab extension)"
  rm -rf "$root/extension/labextension"  # never ship a stale front-end build
  "$python" -m pip wheel --quiet --no-deps -w "$ctx/own" "$root" 2>&1 \
    | grep -v '^WARNING: Location' >&2 || true
  ls "$ctx"/own/coderunner-*.whl >/dev/null
  ln "$wheelhouse"/*.whl "$ctx/wheelhouse/" 2>/dev/null || cp "$wheelhouse"/*.whl "$ctx/wheelhouse/"
  cp "$ctx"/own/*.whl "$ctx/wheelhouse/"
  cp "$here/Dockerfile" "$here/requirements.txt" "$ctx/"
  mkdir -p "$ctx/learnerlib" && cp "$here"/learnerlib/*.py "$ctx/learnerlib/"
  log "building $image ($version) from $BASE_IMAGE"
  agent="$(sha256sum "$root/grading_service/grading/sandbox_agent.py" | cut -c1-64)"
  DOCKER_BUILDKIT=0 docker build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg "CODERUNNER_VERSION=$version" --build-arg "CODERUNNER_AGENT=$agent" \
    -t "$image" "$ctx" >&2
fi
docker tag "$image" coderunner-sandbox:latest
# The image this checkout built before is only disk use now (other checkouts' images,
# and images still in use, are left alone).
previous="$(cat "$state/sandbox-image" 2>/dev/null || true)"
if [ -n "$previous" ] && [ "$previous" != "$image" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "$image" > "$state/sandbox-image"
echo "$image"
