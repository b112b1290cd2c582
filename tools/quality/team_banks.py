"""Banks as a team would hold them, for measuring: bank files an importer made, written as
`quizmaster content import` writes them and loaded beside the seed bank as the bot loads
`QUIZMASTER_BANK_DIR`, so a measurement grades exactly what a team's bot would grade."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from content.bank import Bank
from content.importers.concept_draft import draft_missing_concepts
from content.importers.imported_bank import BankImportError, bank_slug, write_bank
from content.importers.notes import import_notes
from content.loader import DEFAULT_BANK_DIR, load_bank
from content.schema import BankFile
from evaluators.fitting.rows import HarnessError

TEAM_NOTES = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "team_notes"
NOTES_FILES = ("numbered.md", "headings.md")


def beside_seed(bank_files: Sequence[BankFile]) -> Bank:
    """The seed bank with `bank_files` loaded beside it from their written YAML."""
    with tempfile.TemporaryDirectory(prefix="quizmaster-bank-") as folder:
        for bank_file in bank_files:
            write_bank(bank_file, Path(folder) / f"{bank_slug(bank_file.bank)}.yaml", force=False)
        return load_bank([DEFAULT_BANK_DIR, Path(folder)])


def notes_bank(folder: Path = TEAM_NOTES) -> Bank:
    """The seed bank and the team notes (`evaluators/data/team_notes/`), imported as `content
    import notes` imports them: key concepts drafted from each model answer."""
    try:
        files = [
            draft_missing_concepts(import_notes(folder / name).bank_file) for name in NOTES_FILES
        ]
    except BankImportError as exc:
        raise HarnessError(f"the team notes do not import: {exc}") from None
    return beside_seed(files)
