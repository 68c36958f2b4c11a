"""Models that leave: the daily check of every model the stack calls, and what GET /models shows of it.

Bedrock moves a model Active -> Legacy -> end of life, and may give models launched after 2026-09-07 as
little as 45 days in Legacy. Once a day the "model-lifecycle" function asks Bedrock (GetFoundationModel,
in the region the stack calls each model in) and stores one state per model; a model that is LEGACY or
within NOTICE_DAYS of its end of life "needs attention": it is counted in the ModelsNeedingAttention
metric (an alarm mails alarmEmail when it is 1 or more) and GET /models carries its notice.
"""

from __future__ import annotations

from datetime import date

from studio import catalog, model_regions
from studio.adapters import foundation_models, model_states
from studio.clock import now_iso
from studio.observability import count, logger
from studio.settings import Settings

NOTICE_DAYS = 60
METRIC = "ModelsNeedingAttention"


def calls(conf: Settings) -> list[model_regions.ModelCall]:
    """Every model this deployment calls, in the region it calls it in (the same list synth checks)."""
    return model_regions.stack_calls(
        image_ids=[catalog.invocation_id(m, conf.image_profile_prefix) for m in conf.allowed_image_models],
        image_model_id=conf.image_model_id, text_model_id=conf.text_model_id,
        embedding_model_id=conf.embedding_model_id, bedrock_region=conf.bedrock_region,
        embedding_region=conf.embedding_region)


def assess(call: model_regions.ModelCall, found: dict | None, today: date) -> dict:
    """The state to store for one model: Bedrock's lifecycle, days left, and a notice when it needs attention."""
    base = call.base_model
    state = {"modelId": base, "invokedAs": call.model_id, "region": call.region, "status": "UNKNOWN",
             "legacySince": None, "endOfLife": None, "daysLeft": None, "attention": False, "notice": None}
    if found is None:
        return state
    state.update(status=found["status"], legacySince=found["legacySince"], endOfLife=found["endOfLife"])
    days_left = (date.fromisoformat(found["endOfLife"]) - today).days if found["endOfLife"] else None
    state["daysLeft"] = days_left
    ends = f"; Bedrock ends it on {found['endOfLife']} ({max(days_left, 0)} days left)" if days_left is not None else ""
    if found["status"] == "LEGACY":
        since = f" since {found['legacySince']}" if found["legacySince"] else ""
        state.update(attention=True, notice=f"Bedrock lists {base} as legacy{since}{ends}. New accounts cannot use "
                                            "it: choose another model.")
    elif days_left is not None and days_left <= NOTICE_DAYS:
        state.update(attention=True, notice=f"{base} is leaving{ends}. Choose another model before then.")
    return state


def check(conf: Settings, today: date | None = None) -> dict:
    """Read, store and count the lifecycle of every model the stack calls: a summary for the logs."""
    today = today or date.today()
    checked_at = now_iso()
    states = []
    for call in calls(conf):
        state = assess(call, foundation_models.lifecycle(call.base_model, call.region), today)
        model_states.put({**state, "checkedAt": checked_at})
        states.append(state)
    attention = [s["modelId"] for s in states if s["attention"]]
    count(METRIC, len(attention))  # 0 too, so the alarm returns to OK once the model is replaced
    summary = {"checked": len(states), METRIC: len(attention), "attention": attention,
               "unknown": [s["modelId"] for s in states if s["status"] == "UNKNOWN"]}
    logger.info("model lifecycles checked", extra=summary)
    return summary


def state_keys(conf: Settings) -> list[dict]:
    """The keys of what the last check found for this deployment's models (GET /models reads them)."""
    return model_states.keys([call.base_model for call in calls(conf)])


def states_in(items: list[dict]) -> dict[str, dict]:
    return model_states.states_in(items)
