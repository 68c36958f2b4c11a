"""The deploy-time issuer of the day-one Content Credentials certificate: a CloudFormation custom
resource (cdk/credentials.py). Create / Update keep or issue the chain (logic/day_one.py); Delete
removes it unless the stack retains its data. Whatever happens, CloudFormation gets an answer:
an exception would leave the deployment waiting for an hour."""

from studio.adapters import cloudformation
from studio.entry_points import queue_entry
from studio.logic import day_one
from studio.observability import logger
from studio.settings import settings


def issue(event: dict, context) -> dict:
    physical_id = event.get("PhysicalResourceId") or settings().credentials_day_one_parameter or "day-one-certificate"
    properties = event.get("ResourceProperties") or {}
    try:
        if event["RequestType"] == "Delete":
            # A Delete for another physical id follows a replacement (a renamed parameter): the current
            # parameter is not the one CloudFormation is removing, so it stays.
            ours = physical_id == settings().credentials_day_one_parameter
            deleted = ours and day_one.remove(retain=str(properties.get("Retain", "true")).lower() == "true")
            document = cloudformation.answer(event, "SUCCESS", physical_id, {"Deleted": str(deleted).lower()})
        else:
            outcome = day_one.ensure()
            logger.info("day-one certificate", extra={"issued": outcome.issued, "notAfter": outcome.not_after,
                                                      "reason": outcome.reason})
            document = cloudformation.answer(event, "SUCCESS", settings().require("credentials_day_one_parameter"),
                                             {"Issued": str(outcome.issued).lower(), "NotAfter": outcome.not_after},
                                             outcome.reason)
    except Exception as error:  # answer FAILED rather than leave CloudFormation waiting
        logger.exception("the day-one certificate could not be issued")
        document = cloudformation.answer(event, "FAILED", physical_id, {}, f"{type(error).__name__}: {error}")
    cloudformation.respond(event, document)
    return document


handler = queue_entry(issue)
