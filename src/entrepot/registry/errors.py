"""Registry errors: each names the model, the version and the file it concerns.

::

    RegistryError (EntrepotError)
    ├── ModelNotFound (RecordNotFound)     no ready version, or no such model
    │   ├── AliasNotFound                  an alias that points nowhere
    │   └── ReferenceNotFound              no reference model of that name
    ├── VersionExists (RecordExists)       a version or alias name already taken
    ├── VersionInUse                       a version a reference model still uses
    ├── InvalidName (ValueError)           not one safe path segment
    ├── InvalidNote (ValueError)           a version's note too long
    ├── InvalidModelFiles (ValueError)     nothing to push, clashing paths, bad metrics
    │   └── MissingModelFiles (LocalFileNotFound)  a path given to push does not exist
    ├── UnsafeModelFormat                  a file that would need untrusted unpickling
    ├── UnexportableFlavor (InvalidArgument)  a format the version's flavor cannot go to
    ├── MissingLibrary (ImportError)       the flavor's library is not installed
    └── VerificationFailed (IntegrityError)  a file differs from the catalog's sha256
"""

from __future__ import annotations

from entrepot.errors import (
    EntrepotError,
    IntegrityError,
    InvalidArgument,
    LocalFileNotFound,
    RecordExists,
    RecordNotFound,
)


class RegistryError(EntrepotError):
    """A registry operation failed."""


class ModelNotFound(RegistryError, RecordNotFound):
    """No ready model or version matches."""

    hint = "list what exists with `entrepot models ls` and `entrepot models versions NAME`"


class AliasNotFound(ModelNotFound):
    """The alias points nowhere."""

    hint = "set it with `entrepot models alias NAME ALIAS VERSION`"


class ReferenceNotFound(ModelNotFound):
    """No reference model has this name."""

    hint = "list them with `entrepot models references`"


class VersionExists(RegistryError, RecordExists):
    """The version (or alias) name is already taken."""

    hint = "versions are write-once: push under another version, or omit --version"


class VersionInUse(RegistryError):
    """A reference model still points at the version."""

    hint = "repoint or remove the reference model first (Registry.remove_reference)"


class InvalidName(RegistryError, ValueError):
    """A model name, version or alias is not one safe path segment."""

    hint = (
        "use letters, digits, '.', '_' and '-' (at most 64 characters, starting with a letter "
        "or digit)"
    )


class InvalidNote(RegistryError, ValueError):
    """A version's note is longer than a note may be."""

    hint = "shorten the note"


class InvalidModelFiles(RegistryError, ValueError):
    """What was asked to push cannot make a model version."""


class MissingModelFiles(InvalidModelFiles, LocalFileNotFound):
    """A file or folder given to push does not exist."""

    hint = "check the path"


class UnsafeModelFormat(RegistryError):
    """A model file would need unpickling without a trusted signature, or has no safe loader."""

    hint = (
        "pickle-based files (joblib, pickle, .pkl) load only when this installation pushed and "
        "signed them; save models from elsewhere as skops, safetensors, torch weights "
        "(state_dict) or native LightGBM/XGBoost files"
    )


class MissingLibrary(RegistryError, ImportError):
    """The library a flavor needs is not installed."""


class VerificationFailed(RegistryError, IntegrityError):
    """A stored file does not match the sha256 the catalog recorded for it."""

    hint = (
        "the stored file is corrupted or was replaced; push the version again, or delete it "
        "with `entrepot models rm NAME@VERSION`"
    )


class UnexportableFlavor(RegistryError, InvalidArgument):
    """An export to a format the version's flavor cannot be written in (a PyTorch model to
    MLflow's scikit-learn flavor): a usage mistake, exit 2."""
