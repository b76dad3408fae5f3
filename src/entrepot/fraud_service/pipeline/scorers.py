"""What scores a file: one model of a registry, a model folder, or the reference library's
best matches fitted to the file. Each is chosen the same way at every door (the command
line on local files, the job handlers on a user's datasets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from entrepot.fraud.errors import FraudError
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.fraud.library.libraries import ReferenceSource
    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.known_labels import KnownLabels
    from entrepot.registry.keyring import KeyRing
    from entrepot.registry.opened import OpenedVersion

#: Columns a person chose for some members: member name -> (upload column -> model input).
Mappings = Mapping[str, Mapping[str, str]]


class Scorer(Protocol):
    """Chooses the ensemble that scores a file."""

    #: The progress step (a message key) said while it chooses.
    step: ClassVar[str]
    #: Whether it reads the file's rows to choose (a pool fitted to the file): a table
    #: held on disk in slices is then read whole (``pipeline.scoring``).
    reads_rows: ClassVar[bool]

    def choose(
        self, frame: pd.DataFrame, upload: Upload, known: KnownLabels | None, what: str
    ) -> Ensemble:
        """The ensemble that scores ``frame`` (described by ``upload``; ``what`` names it in
        a refusal), reading ``known``'s late labels."""
        ...


@dataclass(frozen=True, slots=True)
class OneModel:
    """A registry model's version, resolved once (:meth:`Registry.open`: the door reads
    its other files through the same), at the analyst's saved ``threshold`` when there is
    one, reading the ``mappings`` chosen."""

    opened: OpenedVersion
    threshold: float | None = None
    mappings: Mappings | None = None
    step: ClassVar[str] = N_("progress.loading_model")
    reads_rows: ClassVar[bool] = False

    def choose(
        self, frame: pd.DataFrame, upload: Upload, known: KnownLabels | None, what: str
    ) -> Ensemble:
        from entrepot.fraud.score.registered import load_scorer

        ensemble = load_scorer(self.opened, upload)
        if self.threshold is not None:
            ensemble = ensemble.with_threshold(self.threshold)
        return chosen_columns(ensemble, self.mappings, frame)


@dataclass(frozen=True, slots=True)
class ModelFolder:
    """A folder written by ``fraud train --out`` or ``score --save-ensemble``; its pickles
    load only if ``keys`` verifies its signature."""

    path: Path
    keys: KeyRing | None
    step: ClassVar[str] = N_("progress.loading_model")
    reads_rows: ClassVar[bool] = False

    def choose(
        self, frame: pd.DataFrame, upload: Upload, known: KnownLabels | None, what: str
    ) -> Ensemble:
        from entrepot.fraud.score.assemble import from_folder

        if not self.path.is_dir():
            raise FraudError(
                f"{self.path} is not a model folder",
                hint="give a folder written by `entrepot fraud train --out` or `score "
                "--save-ensemble`, or a registry model as NAME[@VERSION] (see "
                "`entrepot models ls`)",
                said=Message(N_("error.fraud.not_model_folder"), {"path": str(self.path)}),
            )
        return from_folder(self.path, upload, self.keys)


@dataclass(frozen=True, slots=True)
class References:
    """The library's best-matching references, reading the ``mappings`` chosen, fitted to
    the file as they will score it (late labels read, weighed on a labelled history);
    with ``count_use``, each member's use is recorded in the library."""

    library: ReferenceSource
    mappings: Mappings | None = None
    count_use: bool = True
    step: ClassVar[str] = N_("progress.matching_references")
    reads_rows: ClassVar[bool] = True

    def choose(
        self, frame: pd.DataFrame, upload: Upload, known: KnownLabels | None, what: str
    ) -> Ensemble:
        from entrepot.fraud.score.assemble import from_library
        from entrepot.fraud.score.fit import CANDIDATES, fit_to_file

        candidates, _ = from_library(upload, self.library, top=CANDIDATES, what=what)
        candidates = chosen_columns(candidates, self.mappings, frame)
        ensemble, _ = fit_to_file(candidates, frame, upload, known)
        if self.count_use:
            for member in ensemble.members:
                self.library.record_use(member.name, min(member.similarity, 1.0))
        return ensemble


def chosen_columns(ensemble: Ensemble, mappings: Mappings | None, frame: pd.DataFrame) -> Ensemble:
    """``ensemble`` reading the columns a person chose (``mappings``), if any."""
    if not mappings:
        return ensemble
    from entrepot.fraud.score.remap import remap

    return remap(ensemble, mappings, [str(c) for c in frame.columns])
