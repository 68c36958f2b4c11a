"""The HTTP API's route table: the one source for the CDK stack and the local gateway.

Dependency-free on purpose: the CDK app and the local gateway import it without pulling in
Powertools, pydantic or boto3.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every Cognito user-pool token issued to a person carries this scope; machine clients
# (client credentials) carry the resource-server scopes below instead.
USER_SCOPE = "aws.cognito.signin.user.admin"
RESOURCE_SERVER = "studio"
SCOPE_READ = f"{RESOURCE_SERVER}/read"
SCOPE_GENERATE = f"{RESOURCE_SERVER}/generate"
MACHINE_SCOPES = {
    "read": "Read records, the gallery and the model catalogue",
    "generate": "Translate, suggest, describe, upload and generate images",
}


@dataclass(frozen=True)
class Function:
    """One Lambda function: its folder under functions/ and its entry point."""

    name: str
    handler: str  # module path relative to functions/, then the callable
    description: str
    # "api", "queue" (jobs queue), "dead-letters" (the jobs DLQ), "schedule", "index-queue" or "deploy" (a
    # CloudFormation custom resource: run by each deployment that creates, changes or deletes it)
    trigger: str = "api"
    schedule_minutes: int | None = None  # how often a "schedule" function runs
    # API functions answer within API Gateway's 29 s; the worker's budget covers a whole job.
    timeout_seconds: int = 29
    # Bedrock client budget (BEDROCK_READ_TIMEOUT_SECONDS x BEDROCK_MAX_ATTEMPTS must fit the timeout).
    model_read_timeout_seconds: int = 12
    model_max_attempts: int = 2


# The API's resources: each operation belongs to one, which names its tag in the OpenAPI document
# (and so the module a generated client puts it in).
RESOURCES = {
    "prompts": "The text model writes prompts with you: translate your words, propose ideas, describe a reference",
    "uploads": "Reference images, masks and images to edit, uploaded straight to storage",
    "generations": "Images rendered or edited asynchronously: start one, poll it, favorite, share or delete it",
    "gallery": "Your images and everyone's shared ones, newest first or found by meaning",
    "boards": "Named collections of your images, in the order added; private, or shared read-only with everyone",
    "exports": "A board or a selection of images as a ZIP, assembled asynchronously and downloaded from storage",
    "models": "What this deployment offers: image models, edit operations, prices and your quota",
    "credentials": "Content Credentials (C2PA): check what an image's signed manifest says",
    "meta": "This API's own description",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway style, with {param} placeholders
    function: str
    scope: str | None  # machine scope accepted besides USER_SCOPE; None means no token needed
    operation_id: str  # lowerCamelCase, verb first: the method's name in generated clients
    resource: str  # a key of RESOURCES

    @property
    def scopes(self) -> tuple[str, ...]:
        return () if self.scope is None else (self.scope, USER_SCOPE)


FUNCTIONS: tuple[Function, ...] = (
    Function("translate", "translate.handler.handler", "Detect the language of a prompt and translate it to English"),
    Function("suggest", "suggest.handler.handler", "Propose image prompts from a style and keywords"),
    Function("describe", "describe.handler.handler", "Upload a reference image and describe it into prompts"),
    Function("generate", "generate.handler.handler", "Validate and queue image generations and edits; list the models"),
    Function("generate-worker", "generate.worker.handler", "Render queued generations with the image model", "queue",
             timeout_seconds=600, model_read_timeout_seconds=45, model_max_attempts=3),
    Function("generate-dead-letters", "generate.dead_letters.handler",
             "Fail the generations whose jobs could not be processed", "dead-letters", timeout_seconds=60),
    Function("generate-sweeper", "generate.sweeper.handler",
             "Fail the generations still unfinished past their deadline and release their quota", "schedule",
             timeout_seconds=120, schedule_minutes=15),
    Function("gallery", "gallery.handler.handler", "List, search, read, favorite and delete generations; boards; exports; verify Content Credentials"),
    Function("index", "index.handler.handler", "Embed, caption and index completed images for search",
             "index-queue", timeout_seconds=300, model_read_timeout_seconds=20, model_max_attempts=2),
    Function("model-lifecycle", "models.handler.handler",
             "Read the lifecycle of every model the stack calls and raise the alarm when one is leaving", "schedule",
             timeout_seconds=120, schedule_minutes=24 * 60),
    Function("credentials-issuer", "credentials.issuer.handler",
             "Issue the day-one Content Credentials certificate for the signing key at deploy", "deploy",
             timeout_seconds=60),
)

ROUTES: tuple[Route, ...] = (
    Route("POST", "/translate", "translate", SCOPE_GENERATE, "translatePrompt", "prompts"),
    Route("POST", "/suggest", "suggest", SCOPE_GENERATE, "suggestPrompts", "prompts"),
    Route("POST", "/uploads", "describe", SCOPE_GENERATE, "createUpload", "uploads"),
    Route("POST", "/describe", "describe", SCOPE_GENERATE, "describeReference", "prompts"),
    Route("POST", "/generations", "generate", SCOPE_GENERATE, "createGeneration", "generations"),
    Route("POST", "/generations/batch", "generate", SCOPE_GENERATE, "createGenerationBatch", "generations"),
    Route("POST", "/edits", "generate", SCOPE_GENERATE, "createEdit", "generations"),
    Route("GET", "/models", "generate", SCOPE_READ, "listModels", "models"),
    Route("GET", "/generations/{id}", "gallery", SCOPE_READ, "getGeneration", "generations"),
    Route("PATCH", "/generations/{id}", "gallery", SCOPE_GENERATE, "updateGeneration", "generations"),
    Route("DELETE", "/generations/{id}", "gallery", SCOPE_GENERATE, "deleteGeneration", "generations"),
    Route("GET", "/gallery", "gallery", SCOPE_READ, "listGallery", "gallery"),
    Route("GET", "/gallery/search", "gallery", SCOPE_READ, "searchGallery", "gallery"),
    Route("GET", "/boards", "gallery", SCOPE_READ, "listBoards", "boards"),
    Route("POST", "/boards", "gallery", SCOPE_GENERATE, "createBoard", "boards"),
    Route("GET", "/boards/{id}", "gallery", SCOPE_READ, "getBoard", "boards"),
    Route("PATCH", "/boards/{id}", "gallery", SCOPE_GENERATE, "updateBoard", "boards"),
    Route("DELETE", "/boards/{id}", "gallery", SCOPE_GENERATE, "deleteBoard", "boards"),
    Route("GET", "/boards/{id}/items", "gallery", SCOPE_READ, "listBoardItems", "boards"),
    Route("POST", "/boards/{id}/items/batch", "gallery", SCOPE_GENERATE, "updateBoardItems", "boards"),
    Route("PUT", "/boards/{id}/items/{generationId}", "gallery", SCOPE_GENERATE, "createBoardItem", "boards"),
    Route("DELETE", "/boards/{id}/items/{generationId}", "gallery", SCOPE_GENERATE, "deleteBoardItem", "boards"),
    Route("POST", "/credentials/verify", "gallery", SCOPE_READ, "verifyCredentials", "credentials"),
    # Read scope: an export only packs what the caller may read already.
    Route("POST", "/exports", "gallery", SCOPE_READ, "createExport", "exports"),
    Route("GET", "/exports/{id}", "gallery", SCOPE_READ, "getExport", "exports"),
    Route("GET", "/openapi.json", "gallery", None, "getOpenApiDocument", "meta"),
)


def function(name: str) -> Function:
    return next(f for f in FUNCTIONS if f.name == name)


def api_functions() -> tuple[Function, ...]:
    return tuple(f for f in FUNCTIONS if f.trigger == "api")


# CloudFront sends /api/* to API Gateway unchanged, so every route lives under this prefix there
# (and in the local gateway); the handlers strip it (resolver strip_prefixes).
API_PREFIX = "/api"

# CloudFront adds this header, with the secret value from Secrets Manager, to every request it sends
# to the API (cdk/web.py; the local gateway does the same); the handlers refuse requests without it,
# so the execute-api endpoint cannot be called around CloudFront and its WAF (studio/http.py).
ORIGIN_HEADER = "x-origin-verify"
