"""POST /suggest: prompts from a style (mood) and keywords."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from studio.api_responses import responses
from studio.bodies.prompts import SuggestRequest, SuggestResponse
from studio.entry_points import api_entry
from studio.http import caller, make_resolver
from studio.logic import prompts, usage
from studio.settings import settings

router = APIGatewayRouter()


@router.post("/suggest", summary="Propose image prompts from a style and keywords",
             responses=responses(200, SuggestResponse, "The proposed prompts"))
def suggest(body: SuggestRequest) -> SuggestResponse:
    with usage.text_call(caller(router).user_id, settings()):
        return prompts.suggest(body, settings())


app = make_resolver()
app.include_router(router)
handler = api_entry(app)
