"""The dvclive logger a stage opens: inside a DVC pipeline it does not open the DVC repository."""

from __future__ import annotations

import os
from pathlib import Path

from dvclive import Live

# Studio settings dvclive reads from the environment (dvc_studio_client.env).
STUDIO_TOKENS = ("DVC_STUDIO_TOKEN", "STUDIO_TOKEN")


class PipelineLive(Live):
    """dvclive's Live without its own experiment, dvc.yaml or report.

    Run by `dvc repro` or `dvc exp run` (DVC sets DVC_ROOT), dvclive opens the DVC repository
    only to save an experiment of its own (off here: `dvc exp run` saves it), to `git add` its
    folder (here a declared stage output) and to read Studio settings from DVC's config. That
    costs 0.3 s of CPU per run, for importing DVC, so it is skipped there, unless a Studio
    token is set in the environment (then dvclive posts updates and needs it). Anywhere else,
    this is dvclive as it is."""

    def _init_dvc(self) -> None:  # dvclive 3.49's set-up step (pinned; tested)
        if not os.getenv("DVC_ROOT") or any(os.getenv(name) for name in STUDIO_TOKENS):
            super()._init_dvc()
            return
        self._inside_dvc_pipeline = True
        self._init_dvc_pipeline()  # notes `dvc exp run` and turns save_dvc_exp off
        self._dvc_file = self._init_dvc_file()  # where make_dvcyaml() would write, as before


def open_live(live_dir: Path) -> Live:
    """The stage's dvclive logger writing under live_dir (the pipeline declares its plots)."""
    return PipelineLive(dir=str(live_dir), dvcyaml=None, save_dvc_exp=False, report=None)
