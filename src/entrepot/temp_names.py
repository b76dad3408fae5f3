"""The names Entrepôt gives the temporaries of its work (ADR 0063): every creator takes its
prefix here, and ``gc`` (``bootstrap.instance.temp_areas``) removes, after its grace
period, exactly what these names match, so no kind of leftover can be forgotten.

A temporary of the working folder (``var_dir/tmp``) takes one of :data:`WORK`; one made
where no folder is configured lands in the system's temporary folder and takes
:data:`SYSTEM` before it (:func:`work_prefix`), as every other temporary there does.
``tests/unit/test_temp_names.py`` reads every ``tempfile`` call of the package and fails on
a prefix these names do not cover.
"""

from __future__ import annotations

from pathlib import Path

#: A spooled upload (``upload-*.part``).
UPLOAD = "upload-"
#: A model ZIP for download, or a model version unpacked to load it.
MODEL = "model-"
#: An uploaded dataset unpacked for its analysis.
DATASET = "dataset-"
#: A scoring job's score files.
SCORES = "scores-"
#: A pushed archive unpacked before the registry's push.
PUSH = "push-"
#: An object downloaded and verified before it is served.
VERIFIED = "verified-"
#: Every prefix of the working folder.
WORK = (UPLOAD, MODEL, DATASET, SCORES, PUSH, VERIFIED)
#: What every temporary in the system's temporary folder starts with.
SYSTEM = "entrepot-"


def work_prefix(prefix: str, folder: Path | None) -> str:
    """``prefix`` for a temporary made in ``folder``; in the system's temporary folder
    (``folder`` ``None``), :data:`SYSTEM` before it so that ``gc`` knows it there too."""
    return prefix if folder is not None else f"{SYSTEM}{prefix}"
