"""Errors of the fraud engine; each says what was found and what to do.

The tree (under :class:`entrepot.errors.EntrepotError`)::

    FraudError
    ├── UnreadableFile (ValueError)   not a CSV, Parquet or XLSX table we can parse
    │   ├── MissingFile (LocalFileNotFound)  no file at the path given
    │   ├── UnknownSheet (InvalidArgument)  a workbook without the sheet named
    │   └── EmptyFile                 no bytes, or a header without rows
    ├── UnknownDomain (ValueError)    a generator domain that does not exist
    ├── NoTargetFound                 no column looks like a fraud label
    ├── TargetNotFound (KeyError)     the target named by the user is not a column
    ├── SingleClass                   the label has one class only
    ├── TooFewRows                    too few rows or too few frauds to train and evaluate
    ├── NoUsableFeatures              every column is an id, constant, empty or text
    ├── MissingColumns (KeyError)     data to score lacks columns the model needs
    ├── UnknownColumns (KeyError)     columns named to keep that the table does not have
    ├── NoUsableColumns               every column is empty, constant, an id or free text
    ├── NoMatchingReference           no reference model fits the uploaded schema
    └── NoReferences                  the reference library is empty
"""

from __future__ import annotations

from entrepot.errors import EntrepotError, InvalidArgument, LocalFileNotFound


class FraudError(EntrepotError):
    """Anything the fraud engine refuses to do, with the reason."""


class UnreadableFile(FraudError, ValueError):
    """The file is not a table that can be read."""

    hint = "provide a CSV (',' or ';' separated, UTF-8 or Latin-1), a Parquet or an XLSX file"


class MissingFile(UnreadableFile, LocalFileNotFound):
    """No file exists at the path given."""

    hint = "check the path"


class EmptyFile(UnreadableFile):
    """The file has no rows."""

    hint = "the file must have a header line and at least one row of data"


class UnknownSheet(UnreadableFile, InvalidArgument):
    """The sheet named is not in the workbook."""

    hint = "name one of the workbook's sheets, or leave the sheet out to read the table's"


class UnknownDomain(FraudError, InvalidArgument):
    """The generator was asked for a domain it does not know."""

    hint = "list the domains with `entrepot fraud domains`"


class NoTargetFound(FraudError):
    """No column looks like a fraud label."""

    hint = "name the label column with --target COLUMN (target=... in Python)"


class TargetNotFound(FraudError, KeyError):
    """The target column given by the user does not exist."""

    hint = "check the spelling; `entrepot fraud analyze FILE` lists the columns"

    def __str__(self) -> str:  # KeyError would quote the message
        return EntrepotError.__str__(self)


class SingleClass(FraudError):
    """The label column holds a single class."""

    hint = "training needs both fraudulent and legitimate rows; add labelled frauds"


class TooFewRows(FraudError):
    """Too few rows or too few frauds to train and evaluate honestly."""

    hint = "add more labelled rows: train, validation and test splits each need some frauds"


class NoUsableFeatures(FraudError):
    """No column can be turned into a feature."""

    hint = "the file needs at least one amount, numeric, categorical or timestamp column"


class MissingColumns(FraudError, KeyError):
    """The data to score lacks columns the model was trained on."""

    hint = "rename the columns to the model's input schema (schema.json) or map them"

    def __str__(self) -> str:
        return EntrepotError.__str__(self)


class NoUsableColumns(FraudError):
    """No column of the table can feed a model: all empty, constant, ids or free text."""

    hint = (
        "the file needs at least one timestamp, amount, customer or counterparty id, "
        "category or number column with values"
    )


class NoMatchingReference(FraudError):
    """No reference model's input schema is close enough to the upload's."""

    hint = (
        "train a model on labelled data of this kind (`entrepot fraud train`), or rename the "
        "columns after a reference's inputs (`entrepot fraud match FILE` shows the closest)"
    )


class NoReferences(FraudError):
    """The reference library holds no active model."""

    hint = "build the reference models first: `entrepot fraud build-references`"


class UnknownColumns(FraudError, KeyError):
    """Columns named by the person training that the table does not have."""

    hint = "name columns of the file (keep_columns, --keep-column), as written in its header"

    def __str__(self) -> str:
        return EntrepotError.__str__(self)


class NoGpu(FraudError):
    """XGBoost was asked to boost on a GPU this machine or this XGBoost does not have."""

    hint = "set ENTREPOT_TRAINING_DEVICE=cpu, or install XGBoost built with CUDA on a GPU machine"


class NeedsCluster(FraudError, InvalidArgument):
    """Data-parallel boosting was asked for without a Dask cluster to spread it over."""

    hint = "add --workers 2 or more (the scheduler of ENTREPOT_DASK_URL, else local processes)"
