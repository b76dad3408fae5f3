"""A CSV parsed a slice of rows at a time and joined column by column (ADR 0126): the
frame ``pandas.read_csv`` gives whole (values, dtypes, index), whatever the slices' ends;
where the slices read a column as dtypes that would join otherwise than inside pandas,
``None``: the caller reads the file whole."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from entrepot.fraud.tables.csv_columns import parse_by_columns

JOINED = {
    "a header alone": b"a,b,c\n",
    "one row": b"a,b\n1,x\n",
    "integers with an empty cell": b"a,b\n1,x\n2,y\n,z\n4,w\n5,v\n6,u\n",
    "quoted line breaks": b'a,b\n"x\ny",1\n"z",2\n"q\nr",3\n"s",4\n',
    "integers past 2**53 beside floats": b"a\n9007199254740993\n1.5\n9007199254740995\n",
    "text, numbers, floats": b"t,n,f\nab,1,0.5\ncd,2,1e300\nef,3,-0.0\ngh,4,nan\nij,5,7\n",
}
WHOLE = {
    "booleans with an empty cell": b"a,b\nTrue,1\nFalse,2\nTrue,3\n,4\nFalse,5\n",
    "numbers then text": b"a,b\n1,2\n3,4\nx,5\n6,7\n",
    "a column empty in some slices": b"a,b\n1,\n2,\n3,x\n4,\n5,\n",
}


def _read(data: bytes, rows: int) -> pd.DataFrame | None:
    return parse_by_columns(lambda: io.BytesIO(data), {"sep": ","}, rows=rows)


@pytest.mark.parametrize("case", sorted(JOINED))
@pytest.mark.parametrize("rows", [1, 2, 3, 1_000])
def test_slices_joined_give_the_whole_reads_frame(case: str, rows: int) -> None:
    data = JOINED[case]
    whole = pd.read_csv(io.BytesIO(data))
    found = _read(data, rows)
    assert found is not None
    pd.testing.assert_frame_equal(found, whole, check_exact=True)
    assert list(found.dtypes) == list(whole.dtypes)


@pytest.mark.parametrize("case", sorted(WHOLE))
@pytest.mark.parametrize("rows", [1, 2])
def test_slices_read_as_dtypes_that_join_otherwise_are_read_whole(case: str, rows: int) -> None:
    assert _read(WHOLE[case], rows) is None


@pytest.mark.parametrize("case", sorted(WHOLE))
def test_a_file_read_in_one_slice_is_the_whole_read(case: str) -> None:
    data = WHOLE[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = pd.read_csv(io.BytesIO(data))
    found = _read(data, 1_000)
    assert found is not None
    pd.testing.assert_frame_equal(found, whole, check_exact=True)


def test_an_empty_file_is_pandas_own_refusal() -> None:
    with pytest.raises(pd.errors.EmptyDataError):
        _read(b"", 10)
