"""`quizmaster compute` refuses a public bind without a token; `quizmaster demo` runs one demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from compute.cli import demo_main, serve_main
from compute.config import InsecureBindError, ServiceConfig, check_bind, is_loopback
from tests.compute.demo_checks import assert_readable_png


def test_serving_off_loopback_without_a_token_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = serve_main(["--host", "0.0.0.0", "--port", "1"], ServiceConfig())
    assert code == 2
    assert "QUIZMASTER_COMPUTE_TOKEN" in capsys.readouterr().err


def test_bind_rule() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("compute.internal")
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", SecretStr("t"))
    with pytest.raises(InsecureBindError):
        check_bind("0.0.0.0", SecretStr(""))


def test_demo_list_names_each_demo_and_its_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("activations", "relu-approx", "gradient-descent", "optimizers", "batch-size"):
        assert name in out
    assert "k=6" in out


def test_demo_writes_pngs_metrics_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = demo_main(
        ["relu-approx", "--param", "k=4", "-p", "target=square", "--out", str(tmp_path)]
    )
    assert code == 0
    assert_readable_png((tmp_path / "0.png").read_bytes())
    assert json.loads((tmp_path / "metrics.json").read_text())["k"] == 4
    assert "ReLU" in (tmp_path / "summary.txt").read_text(encoding="utf-8")
    assert str(tmp_path / "0.png") in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["relu-aprox"], "known: "),
        (["relu-approx", "-p", "k=999"], "k: must be <= 64"),
        (["relu-approx", "-p", "k"], "expected NAME=VALUE"),
        (["relu-approx", "-p", "width=3"], "unknown parameter"),
    ],
)
def test_demo_mistakes_get_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo_main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_token_on_the_command_line_is_refused_with_the_way_to_pass_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = serve_main(["--token", "visible-in-ps"], ServiceConfig())
    err = capsys.readouterr().err
    assert code == 2
    assert "--token-file" in err and "QUIZMASTER_COMPUTE_TOKEN" in err
    assert "visible-in-ps" not in err


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_an_unreadable_or_empty_token_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = serve_main(["--token-file", str(path), "--port", "1"], ServiceConfig())
    assert code == 2
    assert "quizmaster compute:" in capsys.readouterr().err


END_DURING_A_LOAD = """
import logging, sys, threading
from compute.embeddings import LOAD_THREAD, end_during_a_load
logging.basicConfig(level=logging.INFO)
end_during_a_load(3)
print("no load: returned")
if sys.argv[1] == "loading":
    threading.Thread(target=threading.Event().wait, name=LOAD_THREAD, daemon=True).start()
    end_during_a_load(0)
    print("still here")
"""


@pytest.mark.parametrize("state", ["loaded", "loading"])
def test_a_service_stopped_while_its_model_loads_ends_at_once_with_its_code(state: str) -> None:
    """Past the server's stop, a model still loading in its daemon thread ends the process
    there (torch's destructors at shutdown would abort it); with none loading, serving returns
    as usual."""
    done = subprocess.run(
        [sys.executable, "-c", END_DURING_A_LOAD, state],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "no load: returned" in done.stdout
    assert "still here" not in done.stdout
    told = "stopped while the embedding model was still loading" in done.stderr
    assert told is (state == "loading")
