"""Which class simulates each node kind: the one place that knows every component module.

engine.world builds a run from this table; the component modules know nothing of the world or of
each other's registration, so adding a kind is one line here and one in engine.registry.
"""
from __future__ import annotations

from engine.components.autoscaling import AutoScalingGroup
from engine.components.base import Component
from engine.components.client import Client
from engine.components.instance import Ec2Instance
from engine.components.load_balancer import LoadBalancer
from engine.messaging.email import EmailEndpoint
from engine.messaging.lambda_fn import LambdaFunction
from engine.messaging.sns import SnsTopic
from engine.messaging.sqs import SqsQueue

COMPONENT_CLASSES: dict[str, type[Component]] = {
    "client": Client, "load_balancer": LoadBalancer, "ec2_instance": Ec2Instance,
    "auto_scaling_group": AutoScalingGroup, "sns_topic": SnsTopic, "sqs_queue": SqsQueue,
    "lambda_function": LambdaFunction, "email_endpoint": EmailEndpoint,
}
