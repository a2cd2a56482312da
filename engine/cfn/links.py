"""The resources that become connections and props: target groups and listeners, launch templates,
subscriptions, redrive policies, event source mappings and the IAM grants of instance roles."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import registry
from engine.cfn.values import as_list, flag, json_object, number, whole

if TYPE_CHECKING:
    from engine.cfn.import_ import Importer

TG, LISTENER = "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::Listener"
LT, LC = "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"
SUBSCRIPTION, ESM = "AWS::SNS::Subscription", "AWS::Lambda::EventSourceMapping"
INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
ROLE, PROFILE, POLICY = "AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::IAM::Policy"
ALGORITHMS = ("round_robin", "least_outstanding_requests", "weighted_random")


def connect_all(im: "Importer") -> None:
    target_groups = _target_group_owners(im)
    for tg in im.of_type(TG):
        _target_group(im, tg, target_groups.get(tg, []))
    _classic_members(im)
    for topic in im.of_type("AWS::SNS::Topic"):
        for i, sub in enumerate(as_list(im.props[topic].get("Subscription"))):
            if isinstance(sub, dict):
                _subscribe(im, topic, sub, f"{topic}Subscription{i + 1}", None)
    for sub in im.of_type(SUBSCRIPTION):
        p = im.props[sub]
        topic = im.ref(p.get("TopicArn"), "AWS::SNS::Topic")
        if topic:
            _subscribe(im, topic, p, sub, sub)
        else:
            im.why_not[sub] = "its TopicArn is not a topic of this template"
    for queue in im.of_type("AWS::SQS::Queue"):
        _redrive(im, queue)
    for esm in im.of_type(ESM):
        _event_source(im, esm, im.props[esm])
    for config in im.of_type(INVOKE_CONFIG):
        _invoke_config(im, config, im.props[config])
    _grants(im)


# -- load balancers ------------------------------------------------------------------------------
def _target_group_owners(im: "Importer") -> dict[str, list[str]]:
    """Target group -> the load balancers whose listeners forward to it."""
    owners: dict[str, list[str]] = {}
    for listener in im.of_type(LISTENER):
        p = im.props[listener]
        lb = im.ref(p.get("LoadBalancerArn"), "AWS::ElasticLoadBalancingV2::LoadBalancer")
        groups = [im.ref(a.get("TargetGroupArn"), TG) for a in as_list(p.get("DefaultActions")) if isinstance(a, dict)]
        for a in as_list(p.get("DefaultActions")):
            forward = a.get("ForwardConfig") if isinstance(a, dict) and isinstance(a.get("ForwardConfig"), dict) else {}
            groups += [im.ref(g.get("TargetGroupArn"), TG) for g in as_list(forward.get("TargetGroups")) if isinstance(g, dict)]
        if lb in im.nodes:
            for g in filter(None, groups):
                owners.setdefault(g, []).append(lb)
            im.use(listener, f"listener of {lb}")
        else:
            im.why_not[listener] = "its load balancer is not an Application Load Balancer of this template"
    return owners


def _target_group(im: "Importer", tg: str, lbs: list[str]) -> None:
    if not lbs:
        im.why_not[tg] = "no listener of a modelled load balancer forwards to it"
        return
    p = im.props[tg]
    attrs = {a.get("Key"): a.get("Value") for a in as_list(p.get("TargetGroupAttributes")) if isinstance(a, dict)}
    for lb in lbs:
        if lb in im.lb_groups:
            im.notes.append(f"{lb}: a second target group {tg}; its settings are not used (FlowDeck: one group per LB)")
            continue
        im.lb_groups[lb] = tg
        _target_group_settings(im, lb, p, attrs)
    for target in as_list(p.get("Targets")):
        instance = im.ref(target.get("Id") if isinstance(target, dict) else None, "AWS::EC2::Instance")
        for lb in lbs:
            if instance:
                im.connect(lb, instance)
    for group in im.of_type("AWS::AutoScaling::AutoScalingGroup"):
        if tg in [im.ref(a, TG) for a in as_list(im.props[group].get("TargetGroupARNs"))]:
            for lb in lbs:
                im.connect(lb, group)
    im.use(tg, f"target group of {', '.join(lbs)}")


def _target_group_settings(im: "Importer", lb: str, p: dict, attrs: dict) -> None:
    algorithm = attrs.get("load_balancing.algorithm.type")
    if algorithm in ALGORITHMS:
        im.set(lb, "algorithm", algorithm, "load_balancing.algorithm.type")
    health = {"interval_s": number(p.get("HealthCheckIntervalSeconds")),
              "timeout_s": number(p.get("HealthCheckTimeoutSeconds")),
              "healthy_threshold": number(p.get("HealthyThresholdCount")),
              "unhealthy_threshold": number(p.get("UnhealthyThresholdCount"))}
    health_check(im, lb, health, "HealthCheck*")
    im.set(lb, "deregistration_delay_s", number(attrs.get("deregistration_delay.timeout_seconds")),
           "deregistration_delay.timeout_seconds")
    im.set(lb, "slow_start_s", number(attrs.get("slow_start.duration_seconds")), "slow_start.duration_seconds")


def health_check(im: "Importer", lid: str, health: dict, field_name: str) -> None:
    """Set a load balancer's health check from the fields the template gives; the rest keep FlowDeck's defaults."""
    given = {k: (v if k in ("interval_s", "timeout_s") else int(v)) for k, v in health.items() if v is not None}
    if given:
        merged = dict(registry.KINDS["load_balancer"].prop("health_check").default, **given)
        im.set(lid, "health_check", merged, field_name)


def _classic_members(im: "Importer") -> None:
    for lb in im.of_type("AWS::ElasticLoadBalancing::LoadBalancer"):
        for instance in as_list(im.props[lb].get("Instances")):
            if im.ref(instance, "AWS::EC2::Instance"):
                im.connect(lb, im.ref(instance))
    for group in im.of_type("AWS::AutoScaling::AutoScalingGroup"):
        for name in as_list(im.props[group].get("LoadBalancerNames")):
            lb = im.ref(name, "AWS::ElasticLoadBalancing::LoadBalancer")
            if lb:
                im.connect(lb, group)


def launch_instance_type(im: "Importer", group: str, p: dict) -> str | None:
    """The instance type of a group's launch template or launch configuration."""
    spec = p.get("LaunchTemplate")
    mixed = p.get("MixedInstancesPolicy")
    if not isinstance(spec, dict) and isinstance(mixed, dict):
        inner = mixed.get("LaunchTemplate")
        spec = inner.get("LaunchTemplateSpecification") if isinstance(inner, dict) else None
    if isinstance(spec, dict):
        lt = im.ref(spec.get("LaunchTemplateId"), LT) or im.ref(spec.get("LaunchTemplateName"), LT)
        if lt:
            im.use(lt, f"launch template of {group}")
            data = im.props[lt].get("LaunchTemplateData")
            return _text(data.get("InstanceType")) if isinstance(data, dict) else None
    lc = im.ref(p.get("LaunchConfigurationName"), LC)
    if lc:
        im.use(lc, f"launch configuration of {group}")
        return _text(im.props[lc].get("InstanceType"))
    return None


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


# -- messaging -------------------------------------------------------------------------------------
PROTOCOL_KINDS = {"sqs": ("sqs_queue",), "lambda": ("lambda_function",),
                  "http": ("load_balancer", "ec2_instance"), "https": ("load_balancer", "ec2_instance")}


def _subscribe(im: "Importer", topic: str, p: dict, name: str, lid: str | None) -> None:
    protocol = str(p.get("Protocol", "")).lower()
    endpoint = p.get("Endpoint")
    if protocol in ("email", "email-json"):
        target = name if lid else f"{topic}Email{sum(1 for n in im.nodes if n.startswith(topic + 'Email')) + 1}"
        im.node(target, "email_endpoint")
        im.set(target, "address", endpoint if isinstance(endpoint, str) else None, "Endpoint")
    else:
        target = _endpoint_node(im, endpoint, PROTOCOL_KINDS.get(protocol, ()))
    if target is None:
        reason = f"a {protocol or 'unknown'} subscription to an endpoint outside the template"
        if lid:
            im.why_not[lid] = reason
        else:
            im.notes.append(f"{topic}: {reason} ({endpoint}) is left out")
        return
    props: dict[str, Any] = {}
    policy = json_object(p.get("FilterPolicy"))
    if policy is not None:
        props["filter_policy"] = policy
    if p.get("FilterPolicyScope") in ("MessageAttributes", "MessageBody"):
        props["filter_policy_scope"] = p["FilterPolicyScope"]
    if flag(p.get("RawMessageDelivery")):
        props["raw_message_delivery"] = True
    redrive = json_object(p.get("RedrivePolicy"))
    dlq = im.ref(redrive.get("deadLetterTargetArn"), "AWS::SQS::Queue") if redrive else None
    if dlq:
        props["dead_letter_queue"] = dlq
    if im.connect(topic, target, props) is not None and lid:
        im.use(lid, f"subscription {topic} -> {target}")


def _endpoint_node(im: "Importer", endpoint: Any, kinds: tuple[str, ...]) -> str | None:
    lid = im.ref(endpoint)
    if lid is None and isinstance(endpoint, str):   # "http://${Alb.DNSName}/hook" resolves to "http://Alb.DNSName/hook"
        lid = next((n for n in im.nodes if f"{n}." in endpoint or f"/{n}/" in endpoint), None)
    return lid if lid in im.nodes and im.nodes[lid]["kind"] in kinds else None


def _redrive(im: "Importer", queue: str) -> None:
    redrive = json_object(im.props[queue].get("RedrivePolicy"))
    dlq = im.ref(redrive.get("deadLetterTargetArn"), "AWS::SQS::Queue") if redrive else None
    if dlq:
        im.connect(queue, dlq)
    elif redrive:
        im.notes.append(f"{queue}: its dead-letter queue is outside the template; left out")


def _event_source(im: "Importer", esm: str, p: dict) -> None:
    queue = im.ref(p.get("EventSourceArn"), "AWS::SQS::Queue")
    function = im.ref(p.get("FunctionName"), "AWS::Lambda::Function")
    if not queue or not function:
        im.why_not[esm] = "its source is not an SQS queue of this template (or its function is not)"
        return
    if flag(p.get("Enabled")) is False:
        im.why_not[esm] = "it is disabled (Enabled: false)"
        return
    props: dict[str, Any] = {}
    if whole(p.get("BatchSize")) is not None:
        props["batch_size"] = whole(p["BatchSize"])
    scaling = p.get("ScalingConfig") if isinstance(p.get("ScalingConfig"), dict) else {}
    if whole(scaling.get("MaximumConcurrency")) is not None:
        props["maximum_concurrency"] = whole(scaling["MaximumConcurrency"])
    if im.connect(queue, function, props) is not None:
        im.use(esm, f"event source mapping {queue} -> {function}")


def _invoke_config(im: "Importer", config: str, p: dict) -> None:
    function = im.ref(p.get("FunctionName"), "AWS::Lambda::Function")
    if function is None and isinstance(p.get("FunctionName"), str) and p["FunctionName"] in im.nodes:
        function = p["FunctionName"]
    if function not in im.nodes:
        im.why_not[config] = "its function is not a Lambda function of this template"
        return
    im.set(function, "maximum_retry_attempts", whole(p.get("MaximumRetryAttempts")), "MaximumRetryAttempts")
    im.set(function, "maximum_event_age_s", number(p.get("MaximumEventAgeInSeconds")), "MaximumEventAgeInSeconds")
    im.use(config, f"retry settings of {function}")


# -- IAM grants of instance roles: who publishes, sends and receives --------------------------------
ACTIONS = {"sns:publish": "publish", "sqs:sendmessage": "publish", "sqs:receivemessage": "consume"}


def _grants(im: "Importer") -> None:
    statements = _role_statements(im)
    for node, roles in _instance_roles(im).items():
        for role in roles:
            for action, resource in statements.get(role, []):
                target = im.ref(resource, "AWS::SNS::Topic", "AWS::SQS::Queue")
                if target and ACTIONS[action] == "publish":
                    im.connect(node, target)
                elif target and ACTIONS[action] == "consume":
                    im.connect(target, node)


def _role_statements(im: "Importer") -> dict[str, list[tuple[str, Any]]]:
    """Role -> (action, resource) pairs its policies allow, for the actions FlowDeck turns into connections."""
    out: dict[str, list[tuple[str, Any]]] = {}
    documents: list[tuple[str, Any]] = []
    for role in im.of_type(ROLE):
        documents += [(role, pol.get("PolicyDocument")) for pol in as_list(im.props[role].get("Policies"))
                      if isinstance(pol, dict)]
    for policy in im.of_type(POLICY):
        for role in as_list(im.props[policy].get("Roles")):
            if im.ref(role, ROLE):
                documents.append((im.ref(role), im.props[policy].get("PolicyDocument")))
    for role, doc in documents:
        for st in as_list(doc.get("Statement")) if isinstance(doc, dict) else []:
            if not isinstance(st, dict) or st.get("Effect") != "Allow":
                continue
            for action in as_list(st.get("Action")):
                if str(action).lower() in ACTIONS:
                    out.setdefault(role, []).extend((str(action).lower(), r) for r in as_list(st.get("Resource")))
    return out


def _instance_roles(im: "Importer") -> dict[str, list[str]]:
    """Group or instance -> the IAM roles its instances run with (through an instance profile)."""
    profiles = {p: [im.ref(r, ROLE) for r in as_list(im.props[p].get("Roles"))] for p in im.of_type(PROFILE)}
    out: dict[str, list[str]] = {}
    for node, n in im.nodes.items():
        if n["kind"] not in ("auto_scaling_group", "ec2_instance"):
            continue
        profile = _profile_of(im, node)
        roles = [r for r in profiles.get(profile, []) if r]
        if roles:
            out[node] = roles
            im.use(profile, f"instance profile of {node}")
            for role in roles:
                im.use(role, f"role of {node} (its grants become connections)")
    for policy in im.of_type(POLICY):
        if any(im.ref(r, ROLE) in im.used for r in as_list(im.props[policy].get("Roles"))):
            im.use(policy, "policy of an instance role (its grants become connections)")
    return out


def _profile_of(im: "Importer", node: str) -> str | None:
    p = im.props[node]
    if im.types[node] == "AWS::EC2::Instance":
        return im.ref(p.get("IamInstanceProfile"), PROFILE)
    spec = p.get("LaunchTemplate") if isinstance(p.get("LaunchTemplate"), dict) else {}
    lt = im.ref(spec.get("LaunchTemplateId"), LT) or im.ref(spec.get("LaunchTemplateName"), LT)
    if lt:
        data = im.props[lt].get("LaunchTemplateData")
        profile = data.get("IamInstanceProfile") if isinstance(data, dict) else None
        if isinstance(profile, dict):
            return im.ref(profile.get("Arn"), PROFILE) or im.ref(profile.get("Name"), PROFILE)
    lc = im.ref(p.get("LaunchConfigurationName"), LC)
    return im.ref(im.props[lc].get("IamInstanceProfile"), PROFILE) if lc else None
