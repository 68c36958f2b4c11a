"""Where moto loses data that AWS keeps, patched for the local world (installed by local/aws.py).

DynamoDB TransactWriteItems: moto 5.2 deep-copies every table a transaction touches before it
starts and, when a condition fails, puts that copy back: whatever other requests wrote meanwhile is
lost (a generation stuck PENDING after another user's quota refusal), and each transaction costs a
copy of the whole table. Here a transaction first checks every condition, writes nothing if one
fails (as DynamoDB does), and otherwise applies its writes, keeping only the items it touches to
put back should a write be refused half way (a malformed update). Requests reach moto's DynamoDB
one at a time (local/iam/gate.py GatedMoto), so nothing interleaves with the two phases.

KMS Sign with MessageType DIGEST: moto 5.2 ignores the message type and hashes the digest again, so
the signature is over the wrong bytes. AWS signs the digest as it is (the Content Credentials signer
sends a digest for a message over KMS's 4096-byte RAW limit: studio/adapters/signing.py).
"""

from __future__ import annotations

import copy
from typing import Any


def install() -> None:
    install_kms_digest()
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.transact_write_items, "studio_patched", False):
        return
    DynamoDBBackend.transact_write_items = transact_write_items
    transact_write_items.studio_patched = True  # type: ignore[attr-defined]


def transact_write_items(self, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.comparisons import get_filter_expression

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    targets: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict, str, dict]] = []  # (op type, op, table name, key)
    errors: list = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        if op_type == "Put":
            table = self.get_table(table_name)
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        target = (str(table_name), str(dict(sorted(key.items()))))
        if target in targets:
            raise MultipleTransactionsException()
        targets.add(target)
        original_item = None
        try:
            current = self.get_item(table_name, key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(condition, op.get("ExpressionAttributeNames"),
                                              op.get("ExpressionAttributeValues"))
                if not check.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            errors.append((None, None, None))
            planned.append((op_type, op, table_name, key))
        except MockValidationException:
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # noqa: BLE001 - moto reports any other failure per item
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)  # nothing was written

    written: list[tuple[str, dict, dict | None]] = []  # (table, key, the item before), to put back
    try:
        for op_type, op, table_name, key in planned:
            if op_type == "ConditionCheck":
                continue
            before = self.get_item(table_name, key)
            written.append((table_name, key, copy.deepcopy(before.to_json()["Attributes"]) if before else None))
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(table_name, op["Item"], expression_attribute_names=names,
                              expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(table_name, key, expression_attribute_names=names, expression_attribute_values=values)
            else:
                self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                 expression_attribute_names=names, expression_attribute_values=values)
    except Exception:
        for table_name, key, before in reversed(written):
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before)
        raise


DIGEST_SIZES = {"ECDSA_SHA_256": 32, "ECDSA_SHA_384": 48, "ECDSA_SHA_512": 64}


def install_kms_digest() -> None:
    from moto.kms.responses import KmsResponse

    if getattr(KmsResponse.sign, "studio_patched", False):
        return
    original = KmsResponse.sign

    def sign(self) -> str:
        if self._get_param("MessageType") != "DIGEST":
            return original(self)
        return _sign_digest(self)

    sign.studio_patched = True  # type: ignore[attr-defined]
    KmsResponse.sign = sign


def _sign_digest(response) -> str:
    """KMS Sign of a precomputed digest (ECDSA keys): the digest is signed as it is, as AWS does."""
    import base64
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    from moto.kms.exceptions import ValidationException

    key_id = response._get_param("KeyId")
    algorithm = response._get_param("SigningAlgorithm")
    digest = response._get_param("Message")
    digest = base64.b64decode(digest) if isinstance(digest, str) else digest
    response._validate_key_id(key_id)
    key = response.kms_backend.describe_key(key_id)
    size = DIGEST_SIZES.get(algorithm)
    private = getattr(key.private_key, "private_key", None)
    if size is None or not isinstance(private, ec.EllipticCurvePrivateKey):
        raise ValidationException(f"DIGEST signing is emulated here for ECDSA keys only, not {algorithm}")
    if len(digest) != size:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    hash_algorithm = {32: hashes.SHA256(), 48: hashes.SHA384(), 64: hashes.SHA512()}[size]
    signature = private.sign(digest, ec.ECDSA(utils.Prehashed(hash_algorithm)))
    return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(),
                       "SigningAlgorithm": algorithm})
