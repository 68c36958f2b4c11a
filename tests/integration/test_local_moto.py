"""The local world's DynamoDB keeps what DynamoDB keeps: a transaction whose condition fails writes
nothing and loses nothing that other requests wrote (local/moto_patches.py)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import moto_patches

TABLE = "t"


@pytest.fixture
def table(environment):
    moto_patches.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        yield client


def item(client, key: str):
    return client.get_item(TableName=TABLE, Key={"pk": {"S": key}}).get("Item")


def quota_refusal(client) -> list:
    """A transaction as a POST over quota writes it: a put, and an update whose condition fails."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"]["us-east-1"]
    written_meanwhile = []
    real_get = type(backend).get_item

    def get_then_another_write(self, table_name, keys, *args):
        # Another request's write lands while the transaction is being checked (moto restored a
        # copy of the table taken before it, losing this write)
        if not written_meanwhile:
            written_meanwhile.append(True)
            self.put_item(TABLE, {"pk": {"S": "other-user-record"}})
        return real_get(self, table_name, keys, *args)

    type(backend).get_item = get_then_another_write
    try:
        with pytest.raises(ClientError) as error:
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new-record"}}}},
                {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "quota"}}, "UpdateExpression": "ADD used :n",
                            "ConditionExpression": "used <= :room",
                            "ExpressionAttributeValues": {":n": {"N": "1"}, ":room": {"N": "0"}}}},
            ])
    finally:
        type(backend).get_item = real_get
    return error.value.response.get("CancellationReasons", [])


def test_a_cancelled_transaction_writes_nothing_and_keeps_the_writes_of_others(table):
    # Given a quota already used up, and another request writing while a transaction is checked
    table.put_item(TableName=TABLE, Item={"pk": {"S": "quota"}, "used": {"N": "1"}})
    # When the transaction's condition fails
    reasons = quota_refusal(table)
    # Then it is cancelled with its reasons, writes nothing, and the other request's write stays
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert item(table, "new-record") is None and item(table, "quota")["used"] == {"N": "1"}
    assert item(table, "other-user-record") is not None


def test_a_write_refused_half_way_puts_back_only_what_the_transaction_wrote(table):
    table.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    with pytest.raises(ClientError) as error:
        table.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "b"}}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = n + :s",
                        "ExpressionAttributeValues": {":s": {"S": "not a number"}}}},
        ])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert item(table, "b") is None and item(table, "a")["n"] == {"N": "1"}


def test_a_transaction_whose_conditions_hold_writes_everything(table):
    table.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "quota"}}, "UpdateExpression": "ADD used :n",
                    "ExpressionAttributeValues": {":n": {"N": "2"}}}},
    ])
    assert item(table, "b") is not None and item(table, "quota")["used"] == {"N": "2"}
