"""Monitoring: an encrypted SNS topic, the alarms that matter, and one dashboard."""

from __future__ import annotations

from aws_cdk import Annotations, Aws, CfnCondition, Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk import constants as c
from cdk.config import StudioConfig
from cdk.functions import StudioFunction
from cdk.search import Search

PERIOD = Duration.minutes(c.ALARM_PERIOD_MINUTES)


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StudioConfig, rest_api: apigw.RestApi,
                 functions: dict[str, StudioFunction], jobs: sqs.IQueue, dead_letters: sqs.IQueue,
                 search: Search) -> None:
        super().__init__(scope, construct_id)
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key: a customer key that
        # lets CloudWatch use it.
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True,
                      description="Encrypts the alarm notifications topic",
                      removal_policy=RemovalPolicy.DESTROY, pending_window=Duration.days(7))
        key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
        ))
        self.topic = sns.Topic(self, "Alarms", display_name=f"{config.stack_name} alarms", master_key=key,
                               enforce_ssl=True)
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cw.Alarm] = []

        def alarm(name: str, metric: cw.IMetric, threshold: float, description: str,
                  comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, periods: int = 1) -> cw.Alarm:
            created = cw.Alarm(self, name, metric=metric, threshold=threshold, evaluation_periods=periods,
                               comparison_operator=comparison, alarm_description=description,
                               treat_missing_data=cw.TreatMissingData.NOT_BREACHING)
            created.add_alarm_action(action)
            created.add_ok_action(action)
            self.alarms.append(created)
            return created

        alarm("Api5xx", rest_api.metric_server_error(period=PERIOD, statistic="Sum"), 5,
              "The API answered 5 or more 5xx errors in 5 minutes")
        for name, fn in functions.items():
            ident = "".join(part.capitalize() for part in name.split("-"))
            alarm(f"{ident}Errors", fn.function.metric_errors(period=PERIOD, statistic="Sum"), 3,
                  f"{name}: 3 or more invocation errors in 5 minutes")
            alarm(f"{ident}Throttles", fn.function.metric_throttles(period=PERIOD, statistic="Sum"), 1,
                  f"{name}: invocations throttled")
        alarm("DeadLetters", dead_letters.metric_approximate_number_of_messages_visible(period=PERIOD,
                                                                                       statistic="Maximum"), 1,
              "Generation jobs reached the DLQ and were not yet recorded as failed")
        alarm("JobsAge", jobs.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
              c.WORKER_OLDEST_MESSAGE_SECONDS, "Generation jobs wait longer than 15 minutes: the worker is "
              "stuck, throttled, or its concurrency is too low", periods=2)
        # Search: failures never fail a generation, so they must be seen here.
        alarm("IndexDeadLetters", search.dead_letters.metric_approximate_number_of_messages_visible(
            period=PERIOD, statistic="Maximum"), 1,
              "Index jobs failed every retry: those images are not searchable (fix, then redrive the DLQ or run "
              "make backfill)")
        alarm("IndexJobsAge", search.jobs.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
              c.INDEX_OLDEST_MESSAGE_SECONDS, "Index jobs wait longer than 30 minutes: new images are not searchable",
              periods=2)
        for service, name, description in (
                ("index", "IndexFailures", "Index jobs failed (they are retried, then kept in the index DLQ)"),
                ("generate-worker", "IndexEnqueueFailed",
                 "Completed generations could not be queued for indexing: run make backfill")):
            alarm(name, cw.Metric(namespace=c.POWERTOOLS_NAMESPACE, metric_name=name,
                                  dimensions_map={"service": service}, period=PERIOD, statistic="Sum"), 3, description)
        # Models that leave (logic/model_watch.py): the daily check counts the models that are LEGACY or
        # within 60 days of their end of life; one is enough to mail alarmEmail.
        self.model_lifecycle_alarm = alarm(
            "ModelLifecycle", cw.Metric(namespace=c.POWERTOOLS_NAMESPACE, metric_name=c.MODEL_LIFECYCLE_METRIC,
                                        dimensions_map={"service": "model-lifecycle"}, period=Duration.days(1),
                                        statistic="Maximum"), c.MODEL_LIFECYCLE_ALARM_THRESHOLD,
            "A model the stack calls is LEGACY or within 60 days of its end of life (GET /models and the model "
            "picker say which): choose another model and deploy (docs/deploy.md, Models that leave)")
        bedrock_throttles = cw.Metric(
            namespace="AWS/Bedrock", metric_name="InvocationThrottles",
            dimensions_map={"ModelId": config.image_model_id}, region=config.bedrock_region,
            period=PERIOD, statistic="Sum")
        self._bedrock_alarm(config, alarm)

        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{config.stack_name}-{Aws.REGION}",
                                 default_interval=Duration.hours(6))
        dashboard.add_widgets(
            cw.GraphWidget(title="API requests and errors", width=12, left=[
                rest_api.metric_count(period=PERIOD, statistic="Sum"),
                rest_api.metric_client_error(period=PERIOD, statistic="Sum"),
                rest_api.metric_server_error(period=PERIOD, statistic="Sum")]),
            cw.GraphWidget(title="API latency (p90)", width=12, left=[
                rest_api.metric_latency(period=PERIOD, statistic="p90"),
                rest_api.metric_integration_latency(period=PERIOD, statistic="p90")]),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Function errors", width=12, left=[
                fn.function.metric_errors(period=PERIOD, statistic="Sum", label=name)
                for name, fn in functions.items()]),
            cw.GraphWidget(title="Function duration (p90)", width=12, left=[
                fn.function.metric_duration(period=PERIOD, statistic="p90", label=name)
                for name, fn in functions.items()]),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Generation queue", width=12, left=[
                jobs.metric_approximate_number_of_messages_visible(period=PERIOD, label="waiting"),
                dead_letters.metric_approximate_number_of_messages_visible(period=PERIOD, label="dead letters")],
                right=[jobs.metric_approximate_age_of_oldest_message(period=PERIOD, label="oldest (s)")]),
            cw.GraphWidget(title=f"Bedrock image model ({config.bedrock_region})", width=12, left=[
                cw.Metric(namespace="AWS/Bedrock", metric_name="Invocations",
                          dimensions_map={"ModelId": config.image_model_id}, region=config.bedrock_region,
                          period=PERIOD, statistic="Sum"),
                bedrock_throttles],
                right=[cw.Metric(namespace="AWS/Bedrock", metric_name="InvocationLatency",
                                 dimensions_map={"ModelId": config.image_model_id}, region=config.bedrock_region,
                                 period=PERIOD, statistic="p90")]),
        )
        # A conditional alarm (region known only at deploy time) cannot be referenced unconditionally.
        dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", width=24,
                                                   alarms=[a for a in self.alarms if a is not self.bedrock_alarm
                                                           or self.bedrock_alarm_condition is None]))

    def _bedrock_alarm(self, config: StudioConfig, alarm) -> None:
        """Bedrock InvocationThrottles of the image model, alarmed where the metric lives.

        A CloudWatch alarm can only watch metrics of its own region (CDK refuses a metric of another
        region, and alarms support no cross-region metric math). So: in bedrockRegion, the alarm; in
        another region, no alarm and a synth warning that says why and how to add one there
        (docs/deploy.md); region unknown at synth (environment-agnostic stack), the alarm with a
        CloudFormation condition that creates it only when the deploy region is bedrockRegion."""
        self.bedrock_alarm: cw.Alarm | None = None
        self.bedrock_alarm_condition: CfnCondition | None = None
        region = Stack.of(self).region
        if not Token.is_unresolved(region) and region != config.bedrock_region:
            Annotations.of(self).add_warning_v2(
                "studio:bedrockAlarmAbsent",
                f"No Bedrock throttling alarm: the stack is in {region} and Bedrock is called in "
                f"{config.bedrock_region}; a CloudWatch alarm only watches metrics of its own region. The "
                "dashboard still shows the metric; docs/deploy.md (Operating) shows how to add the alarm in "
                f"{config.bedrock_region}.")
            return
        self.bedrock_alarm = alarm(
            "ImageModelThrottles",
            cw.Metric(namespace="AWS/Bedrock", metric_name="InvocationThrottles",
                      dimensions_map={"ModelId": config.image_model_id}, period=PERIOD, statistic="Sum"),
            5, f"Bedrock throttled {config.image_model_id}: lower workerConcurrency or raise the model quota")
        if Token.is_unresolved(region):
            self.bedrock_alarm_condition = CfnCondition(
                self, "InBedrockRegion", expression=Fn.condition_equals(Aws.REGION, config.bedrock_region))
            self.bedrock_alarm.node.default_child.cfn_options.condition = self.bedrock_alarm_condition
