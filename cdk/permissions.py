"""Who may touch what: every grant of every function role, in one table-like place.

Least privilege: object actions are limited to the prefix a function works on (uploads/ or images/),
Bedrock to the configured model ARNs, the secret to the gallery. Each wildcard that remains (an S3
prefix, the table's indexes, an inference profile's destination regions) is acknowledged for
cdk-nag beside the grant, with its reason.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs

from cdk.config import StudioConfig, split_profile_id
from cdk.credentials import Credentials
from cdk.functions import StudioFunction
from cdk.push import Push
from cdk.search import Search
from studio import routes, storage_layout
from studio.catalog import DEFAULT_EMBEDDING_MODEL_ID


def _ref(construct) -> str:
    """How cdk-nag prints a resource's ARN attribute: <LogicalId.Arn>."""
    stack = Stack.of(construct)
    return f"<{stack.resolve(stack.get_logical_id(construct.node.default_child))}.Arn>"


class Grants:
    def __init__(self, *, config: StudioConfig, functions: dict[str, StudioFunction], bucket: s3.IBucket,
                 table: dynamodb.ITableV2, jobs: sqs.IQueue, cursor_secret: secretsmanager.ISecret,
                 origin_secret: secretsmanager.ISecret, search: Search, push: Push,
                 credentials: Credentials) -> None:
        self._functions, self._bucket, self._table = functions, bucket, table
        self._config = config
        text = [config.text_model_id]
        images = config.image_invocation_ids()

        self.models("translate", text)
        self.models("suggest", text)
        self.models("describe", text)
        for name in ("translate", "suggest", "describe"):
            self.text_quota(name)
        self.objects("describe", storage_layout.UPLOADS_PREFIX, ["s3:GetObject", "s3:PutObject"],
                     "reads the reference image it describes and signs the presigned POST that uploads it")

        self.data("generate")
        jobs.grant_send_messages(self.role("generate"))
        self.objects("generate", storage_layout.UPLOADS_PREFIX, ["s3:GetObject"],
                     "checks that the reference images of a request exist")

        self.models("generate-worker", images)
        self.data("generate-worker")
        # A duplicate delivery of a job another delivery holds queues a copy of it, delayed until that
        # claim's lease ends (logic/rendering.py): the worker sends to its own queue.
        jobs.grant_send_messages(self.role("generate-worker"))
        self.objects("generate-worker", storage_layout.UPLOADS_PREFIX, ["s3:GetObject"],
                     "reads the reference images it sends to the image model")
        self.objects("generate-worker", storage_layout.IMAGES_PREFIX, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                     "reads the image an edit starts from, writes the rendered PNG and WebP thumbnail (and removes "
                     "them when recording fails)")

        # Content Credentials: the worker alone signs (KMS Sign; GetPublicKey to check that the chain it
        # signs with is for this key) and reads the organisation's chain.
        self.role("generate-worker").add_to_policy(iam.PolicyStatement(
            actions=["kms:Sign", "kms:GetPublicKey"], resources=[credentials.key.key_arn]))
        self.role("generate-worker").add_to_policy(iam.PolicyStatement(
            actions=["secretsmanager:GetSecretValue"], resources=[credentials.chain_secret.secret_arn]))
        # ...and, while that secret is unset, the day-one chain the deploy issued.
        self.role("generate-worker").add_to_policy(iam.PolicyStatement(
            actions=["ssm:GetParameter"], resources=[credentials.day_one_parameter_arn]))
        # The deploy-time issuer (custom resource): the key's public key, and its own parameter only;
        # nothing on the organisation's chain secret, so it can never overwrite that chain. It deletes
        # the parameter on stack deletion only when the stack does not retain its data.
        self.role("credentials-issuer").add_to_policy(iam.PolicyStatement(
            actions=["kms:GetPublicKey"], resources=[credentials.key.key_arn]))
        self.role("credentials-issuer").add_to_policy(iam.PolicyStatement(
            actions=["ssm:GetParameter", "ssm:PutParameter",
                     *([] if credentials.retain else ["ssm:DeleteParameter"])],
            resources=[credentials.day_one_parameter_arn]))
        # Exports (logic/exports.py): the worker reads the images it packs (granted above) and writes the
        # ZIP under exports/ (multipart: PutObject covers its parts; a failed upload is aborted).
        # GetObject: it signs the download link it pushes with the export's COMPLETE (a presigned GET
        # works only if the signer may GetObject it; logic/exports.py).
        self.objects("generate-worker", storage_layout.EXPORTS_PREFIX,
                     ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
                     "writes the ZIP of an export it assembles and signs its download link")

        self.data("generate-dead-letters")
        self.objects("generate-dead-letters", storage_layout.IMAGES_PREFIX, ["s3:DeleteObject"],
                     "removes the partial images of a job it marks failed")

        # The sweeper only queries the unfinished records' index and fails them (UpdateItem, in a
        # transaction with the quota item): no read or delete of anything else.
        self.role("generate-sweeper").add_to_policy(iam.PolicyStatement(
            actions=["dynamodb:Query"], resources=[f"{table.table_arn}/index/{storage_layout.DEADLINE_INDEX}"]))
        self.role("generate-sweeper").add_to_policy(iam.PolicyStatement(
            actions=["dynamodb:UpdateItem"], resources=[table.table_arn]))
        # It also finishes removing deleted boards' rows (studio/logic/board_purge.py): a Query on the purge
        # partition and on each board's partition of the table (no index), and BatchWriteItem deletes.
        self.role("generate-sweeper").add_to_policy(iam.PolicyStatement(
            actions=["dynamodb:Query", "dynamodb:BatchWriteItem"], resources=[table.table_arn]))
        self.objects("generate-sweeper", storage_layout.IMAGES_PREFIX, ["s3:DeleteObject"],
                     "removes what the attempts of a generation it ends may have written")

        # Push: who ends a job announces it to the owner's channel (logic/announcing.py), on the
        # generations namespace only.
        for name in ("generate-worker", "generate-dead-letters", "generate-sweeper"):
            push.grant_publish(self.role(name))

        self.data("gallery")
        self.objects("gallery", storage_layout.IMAGES_PREFIX, ["s3:DeleteObject"],
                     "deletes the images of a generation its owner deletes")
        self.role("gallery").add_to_policy(iam.PolicyStatement(
            actions=["secretsmanager:GetSecretValue"], resources=[cursor_secret.secret_arn]))
        # POST /exports queues the export for the worker; GET /exports/{id} presigns the ZIP's download
        # (a presigned GET works only if the signer may GetObject it).
        jobs.grant_send_messages(self.role("gallery"))
        self.objects("gallery", storage_layout.EXPORTS_PREFIX, ["s3:GetObject"],
                     "signs the download link of an export's ZIP")
        # Every API function checks the origin header CloudFront adds (studio/http.py).
        for spec in routes.api_functions():
            self.role(spec.name).add_to_policy(iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[origin_secret.secret_arn]))

        # Search. QueryVectors with a metadata filter (or returning metadata) also needs GetVectors
        # (the QueryVectors API reference); PutVectors rewrites the public flag; DeleteVectors follows
        # a delete. The index function writes vectors, and removes them for a record deleted meanwhile.
        embedding = [DEFAULT_EMBEDDING_MODEL_ID]
        search.jobs.grant_send_messages(self.role("generate-worker"))
        # A delete queues the index job that removes the vectors an index job may have written meanwhile.
        search.jobs.grant_send_messages(self.role("gallery"))
        self.models("gallery", embedding, config.embedding_region)
        self.vectors("gallery", search, ["s3vectors:QueryVectors", "s3vectors:GetVectors",
                                         "s3vectors:PutVectors", "s3vectors:DeleteVectors"])
        self.objects("gallery", storage_layout.UPLOADS_PREFIX, ["s3:GetObject"],
                     "reads the caller's uploaded image for a \"more like this\" search")
        self.models("index", embedding, config.embedding_region)
        self.models("index", text)  # captions
        self.data("index")
        self.vectors("index", search, ["s3vectors:PutVectors", "s3vectors:DeleteVectors"])
        self.objects("index", storage_layout.IMAGES_PREFIX, ["s3:GetObject"],
                     "reads the thumbnails it embeds and captions")

        # Models that leave: GetFoundationModel on exactly the models the stack calls, each in the region it
        # is called in, and one UpdateItem per model into the table (studio/adapters/model_states.py).
        self.role("model-lifecycle").add_to_policy(iam.PolicyStatement(
            actions=["bedrock:GetFoundationModel"],
            resources=sorted({f"arn:{Aws.PARTITION}:bedrock:{call.region}::foundation-model/{call.base_model}"
                              for call in config.model_calls()})))
        self.role("model-lifecycle").add_to_policy(iam.PolicyStatement(
            actions=["dynamodb:UpdateItem"], resources=[table.table_arn]))

    def vectors(self, name: str, search: Search, actions: list[str]) -> None:
        """S3 Vectors actions on the one index (never the bucket, never another index)."""
        self.role(name).add_to_policy(iam.PolicyStatement(actions=actions, resources=[search.index_arn]))

    def role(self, name: str) -> iam.IRole:
        return self._functions[name].role

    def models(self, name: str, model_ids: list[str], region: str | None = None) -> None:
        """InvokeModel on these models in `region` (default bedrockRegion; search embeds in embeddingRegion)."""
        self._functions[name].grant_invoke_models(model_ids, region or self._config.bedrock_region)
        for model_id in model_ids:
            prefix, base = split_profile_id(model_id)
            if prefix is not None:
                Validations.of(self._functions[name].role).acknowledge(Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/{base}]",
                    reason=f"{model_id} is a cross-region inference profile: Bedrock serves it from the model in "
                           "any region of its geography; the statement only applies through that profile "
                           "(condition bedrock:InferenceProfileArn).",
                ))

    def data(self, name: str) -> None:
        self._table.grant_read_write_data(self.role(name))
        Validations.of(self.role(name)).acknowledge(Acknowledgment(
            id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{_ref(self._table)}/index/*]",
            reason="Queries the table's gallery indexes (studio.storage_layout.INDEXES), all of this one table.",
        ))

    def text_quota(self, name: str) -> None:
        """The daily text-call counter (studio/adapters/records.py use_text_call): one conditional
        UpdateItem on the table, nothing else of it."""
        self.role(name).add_to_policy(iam.PolicyStatement(actions=["dynamodb:UpdateItem"],
                                                          resources=[self._table.table_arn]))

    def objects(self, name: str, prefix: str, actions: list[str], why: str) -> None:
        self.role(name).add_to_policy(iam.PolicyStatement(
            actions=actions, resources=[self._bucket.arn_for_objects(f"{prefix}*")]))
        Validations.of(self.role(name)).acknowledge(Acknowledgment(
            id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{_ref(self._bucket)}/{prefix}*]",
            reason=f"Object keys are generated per request under {prefix}; the function {why}.",
        ))
