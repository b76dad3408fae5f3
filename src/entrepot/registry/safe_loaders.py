"""Turn a verified model file into a Python object, refusing unsafe formats.

Safe formats load whoever made them: skops (types beyond skops' own defaults must be in
:data:`SKOPS_TRUSTED_TYPES`, fixed in code and never read from the model's metadata),
safetensors, PyTorch weights (``torch.load(weights_only=True)``), native LightGBM and
XGBoost boosters. A pickle-based file (joblib, pickle) loads only when the caller has
checked that this installation signed the version (see :mod:`entrepot.registry.signing`).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from entrepot.messages import N_, Message
from entrepot.registry.errors import (
    InvalidModelFiles,
    MissingLibrary,
    RegistryError,
    UnsafeModelFormat,
)
from entrepot.registry.flavors import holds_pickle, is_pickle

#: Types a skops file may hold beyond skops' default trusted set. Fixed in code;
#: extending it is a reviewed change.
SKOPS_TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.slice",
        "collections.OrderedDict",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._iforest.IsolationForest",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._encoders.OrdinalEncoder",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.ExtraTreeRegressor",
        "sklearn.tree._tree.Tree",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.loss.HalfBinomialLoss",
    }
)


def load_file(
    flavor: str, path: Path, *, signed: bool, into: Any = None, name: str | None = None
) -> Any:
    """Load the model file ``path`` of ``flavor``; ``name`` is its path in the version (by
    default ``path``'s); a pickle is told by that name's suffix or by the file's content.

    ``signed`` says this installation signed the version, the only case in which a pickle
    is opened. ``into`` (PyTorch and safetensors) is a module to load the weights into; it
    is returned in eval mode. Raises :class:`UnsafeModelFormat` for a refused file,
    :class:`MissingLibrary` when the flavor's library is not installed and
    :class:`InvalidModelFiles` when the file is not a readable model of ``flavor`` (the
    library's own error named in the message, never raised as is).
    """
    shown = name or path.name
    # a flavor with a safe loader keeps it (torch's ZIP holds a pickle, read weights_only)
    if is_pickle(shown) or (flavor not in _LOADERS and holds_pickle(path)):
        _check_signed(shown, signed)
        joblib = _require("joblib", "ml")
        return joblib.load(path)
    loader = _LOADERS.get(flavor)
    if loader is None:
        raise UnsafeModelFormat(
            f"no safe loader for flavor {flavor!r} ({shown})",
            said=Message(N_("error.registry.no_safe_loader"), {"flavor": flavor, "file": shown}),
        )
    try:
        return loader(path, into, shown)
    except RegistryError:
        raise
    except Exception as exc:  # each library has its own parse errors (and some raise KeyError)
        detail = (str(exc).splitlines() or ["no detail"])[0].replace(str(path), shown)
        raise InvalidModelFiles(
            f"{shown} is not a readable {flavor} model ({type(exc).__name__}: {detail[:200]})",
            hint="push the file again with its real flavor (--flavor), or as raw files",
            said=Message(
                N_("error.registry.unreadable_model"),
                {
                    "file": shown,
                    "flavor": flavor,
                    "error": type(exc).__name__,
                    "detail": detail[:200],
                },
            ),
        ) from None


def load_pickle_bytes(data: bytes, *, signed: bool, name: str) -> Any:
    """Unpickle ``data``, the very bytes whose signature the caller checked (never the file
    read again), only when ``signed``; raises :class:`UnsafeModelFormat` otherwise."""
    _check_signed(name, signed)
    joblib = _require("joblib", "ml")
    return joblib.load(io.BytesIO(data))


def _check_signed(shown: str, signed: bool) -> None:
    if not signed:
        raise UnsafeModelFormat(
            f"{shown} is a pickle and this version carries no valid signature of this "
            "installation: refusing to unpickle it",
            said=Message(N_("error.registry.pickle_not_signed"), {"file": shown}),
        )


def _require(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingLibrary(
            f"loading this model needs {module.split('.')[0]}, which is not installed",
            hint=f"pip install 'entrepot[{extra}]'",
            said=Message(
                N_("error.registry.loader_missing"),
                {"library": module.split(".")[0], "extra": extra},
            ),
        ) from None


def _into(state: Any, into: Any) -> Any:
    if into is None:
        return state
    into.load_state_dict(state)
    into.eval()
    return into


def _load_torch(path: Path, into: Any, shown: str) -> Any:
    torch = _require("torch", "torch")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError and friends
        raise UnsafeModelFormat(
            f"{shown} is not a plain weights file: torch refused to load it with "
            f"weights_only=True ({type(exc).__name__}; it holds pickled objects, such as a "
            "whole module, not only tensors)",
            hint="save the weights with torch.save(model.state_dict(), path) and push that",
            said=Message(
                N_("error.registry.torch_not_weights"), {"file": shown, "error": type(exc).__name__}
            ),
        ) from None
    return _into(state, into)


def _load_safetensors(path: Path, into: Any, shown: str) -> Any:
    _require("torch", "torch")
    safetensors_torch = _require("safetensors.torch", "torch")
    return _into(safetensors_torch.load_file(str(path)), into)


def _load_skops(path: Path, into: Any, shown: str) -> Any:
    skops_io = _require("skops.io", "ml")
    unknown = list(skops_io.get_untrusted_types(file=path))
    refused = sorted(set(unknown) - SKOPS_TRUSTED_TYPES)
    if refused:
        raise UnsafeModelFormat(
            f"{shown} holds types outside the trusted list: {', '.join(refused)}",
            hint="trusted skops types are fixed in entrepot.registry.safe_loaders; save the model "
            "with supported estimators or push it from this installation with joblib",
            said=Message(
                N_("error.registry.untrusted_types"), {"file": shown, "types": ", ".join(refused)}
            ),
        )
    return skops_io.load(path, trusted=unknown)


def _load_lightgbm(path: Path, into: Any, shown: str) -> Any:
    lightgbm = _require("lightgbm", "ml")
    return lightgbm.Booster(model_file=str(path))


def _load_xgboost(path: Path, into: Any, shown: str) -> Any:
    xgboost = _require("xgboost", "ml")
    booster = xgboost.Booster()
    booster.load_model(str(path))
    return booster


_LOADERS: dict[str, Callable[[Path, Any, str], Any]] = {
    "pytorch": _load_torch,
    "safetensors": _load_safetensors,
    "skops": _load_skops,
    "lightgbm": _load_lightgbm,
    "xgboost": _load_xgboost,
}
