"""The pure parts of store migration: the IAM policy, the price arithmetic, the price
file, and the sorting of what a destination already holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from entrepot.errors import ConfigError
from entrepot.relocation.errors import DestinationConflict
from entrepot.relocation.iam import s3_policy
from entrepot.relocation.preflight import Wanted, classify, refuse_conflicts
from entrepot.relocation.prices import DEFAULT_PRICES, GIB, Price, estimate, load_prices
from entrepot.storage.types import ObjectInfo

SHA_A, SHA_B = "a" * 64, "b" * 64


class TestIamPolicy:
    def test_a_prefix_bounds_listing_and_objects(self) -> None:
        policy = s3_policy("team-bucket", "/prod/store/")
        listing, read, write = policy["Statement"]
        assert policy["Version"] == "2012-10-17"
        assert listing["Action"] == ["s3:ListBucket"]
        assert listing["Resource"] == "arn:aws:s3:::team-bucket"
        assert listing["Condition"] == {
            "StringLike": {"s3:prefix": ["prod/store/", "prod/store/*"]}
        }
        assert read["Resource"] == write["Resource"] == "arn:aws:s3:::team-bucket/prod/store/*"
        assert read["Action"] == ["s3:GetObject"]
        assert set(write["Action"]) == {
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        }

    def test_read_only_grants_no_write(self) -> None:
        actions = {
            a for s in s3_policy("b-b-b", "p", read_only=True)["Statement"] for a in s["Action"]
        }
        assert actions == {"s3:ListBucket", "s3:GetObject"}

    def test_a_whole_bucket_has_no_condition_and_nothing_beyond_objects(self) -> None:
        policy = s3_policy("team-bucket")
        assert "Condition" not in policy["Statement"][0]
        assert policy["Statement"][1]["Resource"] == "arn:aws:s3:::team-bucket/*"
        text = json.dumps(policy)
        assert "s3:*" not in text and "CreateBucket" not in text and '"*"' not in text


class TestPrices:
    def test_storage_requests_and_reads(self) -> None:
        price = Price("p", storage_gb_month=0.02, put_per_1000=0.005, get_per_1000=0.0004)
        (cost,) = estimate(
            {"p": price},
            objects=2000,
            size=10 * GIB,
            billable=lambda minimum: 0,
            reads_per_month=100_000,
        )
        assert cost.storage_month == pytest.approx(0.2)
        assert cost.migration_once == pytest.approx(2000 * 0.0054 / 1000)
        assert cost.reads_month == pytest.approx(0.04)
        assert cost.month == pytest.approx(0.24)

    def test_a_minimum_object_size_bills_small_objects_as_that(self) -> None:
        costs = {
            c.provider: c
            for c in estimate(
                DEFAULT_PRICES,
                objects=1000,
                size=1000 * 1024,
                billable=lambda minimum: 1000 * max(1024, minimum),
            )
        }
        assert costs["s3-standard"].billable_bytes == 1000 * 1024
        assert costs["s3-ia"].billable_bytes == 1000 * 128 * 1024
        assert costs["s3-ia"].storage_month == pytest.approx(1000 * 128 * 1024 / GIB * 0.0125)

    def test_retrieval_fees_count_in_reads(self) -> None:
        (cost,) = estimate(
            {"ia": DEFAULT_PRICES["s3-ia"]},
            objects=10,
            size=10 * GIB,
            billable=lambda minimum: 10 * GIB,
            reads_per_month=10,
        )
        assert cost.reads_month == pytest.approx(10 * 0.001 / 1000 + 10 * 0.01)

    def test_nothing_costs_nothing(self) -> None:
        costs = estimate(DEFAULT_PRICES, objects=0, size=0, billable=lambda minimum: 0)
        assert {c.month + c.migration_once for c in costs} == {0.0}

    def test_a_price_file_overrides_and_adds(self, tmp_path: Path) -> None:
        path = tmp_path / "prices.json"
        path.write_text(
            json.dumps(
                {
                    "s3-standard": {"storage_gb_month": 0.021},
                    "nas": {
                        "label": "our NAS",
                        "storage_gb_month": 0,
                        "put_per_1000": 0,
                        "get_per_1000": 0,
                    },
                }
            )
        )
        prices = load_prices(path)
        assert prices["s3-standard"].storage_gb_month == 0.021
        assert prices["s3-standard"].put_per_1000 == DEFAULT_PRICES["s3-standard"].put_per_1000
        assert prices["nas"].label == "our NAS"
        assert set(DEFAULT_PRICES) < set(prices)

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            ("[1, 2]", "JSON object"),
            ("{not json", "cannot read"),
            ('{"s3-standard": {"storage_gb_month": -1}}', "non-negative"),
            ('{"s3-standard": {"storage_gb_month": "cheap"}}', "non-negative"),
            ('{"s3-standard": {"egress": 1}}', "some of"),
            ('{"new": {"storage_gb_month": 1}}', "lacks get_per_1000, put_per_1000"),
        ],
    )
    def test_a_bad_price_file_says_what_is_wrong(
        self, tmp_path: Path, content: str, problem: str
    ) -> None:
        path = tmp_path / "prices.json"
        path.write_text(content)
        with pytest.raises(ConfigError, match=problem):
            load_prices(path)


def _info(key: str, size: int, sha256: str | None) -> ObjectInfo:
    return ObjectInfo(key=key, size=size, sha256=sha256, modified=datetime.now(UTC))


class TestClassify:
    def test_same_other_and_unknown_bytes(self) -> None:
        wanted = {"a": Wanted(SHA_A, 1), "b": Wanted(SHA_B, 2), "c": Wanted(SHA_A, 3)}
        found = {
            "a": _info("a", 1, SHA_A),
            "b": _info("b", 2, SHA_A),
            "c": _info("c", 3, None),
            "unrelated": _info("unrelated", 9, SHA_B),
        }
        result = classify(wanted, found)
        assert result.present == {"a"}
        assert [k for k, _ in result.conflicts] == ["b", "c"]
        assert "no sha256" in result.conflicts[1][1]

    def test_a_size_difference_is_a_conflict(self) -> None:
        result = classify({"a": Wanted(SHA_A, 1)}, {"a": _info("a", 2, SHA_A)})
        assert not result.present and len(result.conflicts) == 1

    def test_conflicts_are_named_up_to_ten(self) -> None:
        wanted = {f"k{i:02d}": Wanted(SHA_A, 1) for i in range(12)}
        found = {k: _info(k, 1, SHA_B) for k in wanted}
        with pytest.raises(DestinationConflict) as caught:
            refuse_conflicts(classify(wanted, found), "s3://b")
        message = str(caught.value)
        assert "12 key(s)" in message and "k09" in message and "k10" not in message
        assert "(and 2 more)" in message
        assert isinstance(caught.value, FileExistsError)
