"""POST /uploads (a presigned POST for a reference image) and POST /describe (read it into prompts)."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from studio.api_responses import responses
from studio.bodies.prompts import DescribeRequest, DescribeResponse, UploadRequest, UploadResponse
from studio.entry_points import api_entry
from studio.http import caller, make_resolver
from studio.logic import prompts, uploads, usage
from studio.settings import settings

router = APIGatewayRouter()


@router.post("/uploads", summary="Get a form to upload a reference image, a mask or an image to edit",
             description="POST the file to `url` as multipart/form-data: every entry of `fields`, then the file "
                         "as `file`, within `expiresIn` seconds. Use `imageKey` in the other operations.",
             responses=responses(200, UploadResponse, "A presigned POST form for the image"))
def create_upload(body: UploadRequest) -> UploadResponse:
    return uploads.create_upload(body, caller(router).user_id)


@router.post("/describe", summary="Describe a reference image and write prompts in its spirit",
             responses=responses(200, DescribeResponse, "A summary, a palette and prompts along distinct axes"))
def describe(body: DescribeRequest) -> DescribeResponse:
    user_id = caller(router).user_id
    uploads.check_owner(body.image_key, user_id, "imageKey")
    with usage.text_call(user_id, settings()):
        return prompts.describe(body, settings())


app = make_resolver()
app.include_router(router)
handler = api_entry(app)
