"""The synthesized tables are the PynamoDB models: same keys, indexes, projections,
TTL and streams. A model change without a matching template change fails here."""
from __future__ import annotations

import pytest

from ringback.adapters.tables import KeySpec, TableSpec, table_specs


def _key_schema(partition: KeySpec, sort: KeySpec | None) -> list[dict]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def _expected_attributes(spec: TableSpec) -> dict[str, str]:
    keys = [spec.partition, spec.sort]
    for index in spec.indexes:
        keys += [index.partition, index.sort]
    return {key.name: key.type for key in keys if key}


def _expected_indexes(spec: TableSpec) -> dict[str, dict]:
    expected = {}
    for index in spec.indexes:
        projection: dict = {"ProjectionType": index.projection}
        if index.non_key_attributes:
            projection["NonKeyAttributes"] = frozenset(index.non_key_attributes)
        expected[index.name] = {
            "KeySchema": _key_schema(index.partition, index.sort),
            "Projection": projection,
        }
    return expected


def _synthesized_indexes(props: dict) -> dict[str, dict]:
    indexes = {}
    for gsi in props.get("GlobalSecondaryIndexes", []):
        projection = dict(gsi["Projection"])
        if "NonKeyAttributes" in projection:
            projection["NonKeyAttributes"] = frozenset(projection["NonKeyAttributes"])
        indexes[gsi["IndexName"]] = {"KeySchema": gsi["KeySchema"], "Projection": projection}
    return indexes


@pytest.fixture(scope="module")
def tables(synth) -> dict[str, dict]:
    return {
        t["Properties"]["TableName"]: t["Properties"]
        for t in synth.of_type("AWS::DynamoDB::Table").values()
    }


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.logical_name)
def test_table_matches_its_model(spec: TableSpec, tables):
    props = tables[f"ringback-prod-{spec.logical_name}"]

    assert props["KeySchema"] == _key_schema(spec.partition, spec.sort)
    assert {
        a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]
    } == _expected_attributes(spec)
    assert len(props["AttributeDefinitions"]) == len(_expected_attributes(spec))
    assert _synthesized_indexes(props) == _expected_indexes(spec)
    assert props.get("LocalSecondaryIndexes") is None

    ttl = props.get("TimeToLiveSpecification")
    assert ttl == ({"AttributeName": spec.ttl_attribute, "Enabled": True} if spec.ttl_attribute else None)

    stream = props.get("StreamSpecification")
    assert stream == ({"StreamViewType": spec.stream_view_type} if spec.stream_view_type else None)


def test_no_table_without_a_model(tables):
    assert len(tables) == len(table_specs())
