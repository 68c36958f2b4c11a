"""POST /translate: detect the prompt's language and translate it to English."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from studio.api_responses import responses
from studio.bodies.prompts import TranslateRequest, TranslateResponse
from studio.entry_points import api_entry
from studio.http import caller, make_resolver
from studio.logic import prompts, usage
from studio.settings import settings

router = APIGatewayRouter()


@router.post("/translate", summary="Translate a prompt to English",
             responses=responses(200, TranslateResponse, "The detected language and the English text"))
def translate(body: TranslateRequest) -> TranslateResponse:
    with usage.text_call(caller(router).user_id, settings()):
        return prompts.translate(body, settings())


app = make_resolver()
app.include_router(router)
handler = api_entry(app)
