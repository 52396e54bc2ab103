#!/usr/bin/env bash
# Build the wheel, install it in a clean virtualenv outside the checkout and analyse a real
# clip from there: proves an installed gaitlab finds its data (thresholds, pose model,
# exercises, app) without the repository. Usage: scripts/wheel_smoke.sh [PYTHON]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" wheel --quiet --no-deps -w "$work/dist" "$repo"
"$work/venv/bin/pip" install --quiet "$work"/dist/gaitlab_video-*.whl

cd "$work"  # nothing of the checkout is importable from here
export GAITLAB_HOME="$work/home"
"$work/venv/bin/gaitlab" info | grep -q "pose model: $work/venv/" \
  || { echo "wheel smoke: the pose model is not the wheel's own" >&2; exit 1; }
"$work/venv/bin/gaitlab" analyze "$repo/tests/data/walk_side_outdoor_60fps.mp4" \
  --task walk --out "$work/out" --no-video
"$work/venv/bin/python" - "$work/out/summary.json" <<'PY'
import json
import sys

summary = json.load(open(sys.argv[1]))
cadence = summary["metrics"]["cadence_spm"]
assert summary["task"] == "walk" and 95 < cadence < 120, cadence
print(f"wheel smoke: installed gaitlab analysed the clip outside the checkout, {cadence} steps/min")
PY
"$work/venv/bin/gaitlab" history | grep -q "walk" \
  || { echo "wheel smoke: the analysis is not in the history" >&2; exit 1; }
