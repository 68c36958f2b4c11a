"""The gallery's filter parameters, as GET /gallery and GET /boards/{id}/items both take them (one wording)."""

from __future__ import annotations

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler.openapi.params import Query
from studio.bodies.common import Aspect, MadeBy, RecordMode
from studio.logic.gallery import DATE_RULE

ModeFilter = Annotated[Optional[RecordMode], Query()]
TagFilter = Annotated[Optional[str], Query(min_length=1, max_length=100, description="images with this tag")]
ModelFilter = Annotated[Optional[str], Query(min_length=1, max_length=200,
                                             description="images made by this model (an id GET /models lists)")]
OperationFilter = Annotated[Optional[MadeBy], Query(description="how the image was made: a generation mode or an "
                                                                "edit operation")]
AspectFilter = Annotated[Optional[Aspect], Query(description="square (sides within 5%), landscape or portrait, "
                                                             "of the size asked for")]
CreatedFrom = Annotated[Optional[str], Query(min_length=10, max_length=40,
                                             description=DATE_RULE + ": created on or after")]
CreatedTo = Annotated[Optional[str], Query(min_length=10, max_length=40,
                                           description=DATE_RULE + ": created on or before")]
