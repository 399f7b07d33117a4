"""The deployable package: least privilege for the function, a locked-down data bucket.

``make package`` runs ``chalice package --stage prod --merge-template
.chalice/template-resources.json`` and lints the result. These tests run the same
command, once per session, on a copy of the project **without requirements.txt**:
the template does not depend on the requirements, and without them chalice never
runs pip, so nothing reaches the network (``PIP_NO_INDEX`` guards that anyway) and
the project's own ``.chalice/deployments`` cache is never touched. The real zip,
with its manylinux wheels, is only built by ``make package``.

The template is then read as data: CloudFormation intrinsics (``Ref``, ``Fn::GetAtt``,
``Fn::Sub``, ``Fn::Join``, ``Fn::If``) are rendered to strings such as
``${DataBucket.Arn}/*`` so that every policy statement can be checked for wildcards.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("package")  # chalice package runs once per module

ROOT = Path(__file__).resolve().parents[2]
MERGE_TEMPLATE = ".chalice/template-resources.json"
STAGE = "prod"
# The same flags as the Makefile's CFN_LINT_FLAGS: errors and warnings fail.
CFN_LINT_FLAGS = ["--non-zero-exit-code", "warning"]

# What the function may do, and nothing else. ListBucket is there so that a missing key
# answers 404 NoSuchKey (which the reader maps to "not published") instead of 403.
FUNCTION_S3_ACTIONS = {"s3:GetObject", "s3:ListBucket"}
FUNCTION_LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
PARTITION_REGION_ACCOUNT = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"


def _tool(module: str, func: str = "main") -> list[str]:
    """Run a console script's entry point with this interpreter (no PATH lookup)."""
    return [sys.executable, "-c", f"import sys; from {module} import {func}; sys.exit({func}())"]


def _offline_env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("PIP_")
    }
    env.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            # No profile, no credentials, no instance metadata: packaging needs none of them.
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "PIP_NO_INDEX": "1",
            "HOME": str(home),
        }
    )
    return env


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    """Run ``chalice package`` (prod, merged template) once; return the output folder."""
    work = tmp_path_factory.mktemp("package")
    project = work / "project"
    project.mkdir()
    shutil.copy2(ROOT / "app.py", project / "app.py")
    shutil.copytree(
        ROOT / "chalicelib",
        project / "chalicelib",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    (project / ".chalice").mkdir()
    for source in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(source, project / ".chalice" / source.name)
    out = work / "out"
    result = subprocess.run(
        _tool("chalice.cli")
        + ["package", "--stage", STAGE, "--merge-template", MERGE_TEMPLATE, str(out)],
        cwd=project,
        env=_offline_env(work),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"chalice package failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def template(packaged) -> dict[str, Any]:
    return json.loads((packaged / "sam.json").read_text())


@pytest.fixture(scope="module")
def resources(template) -> dict[str, dict[str, Any]]:
    return template["Resources"]


# -- reading the template ---------------------------------------------------------------------


def render(value: Any, resources: dict[str, dict[str, Any]]) -> list[str]:
    """Every string ``value`` can become, with references kept as ``${Name}``/``${Name.Attr}``.

    A log group's ``Arn`` attribute ends in ``:*``, so it is rendered as that ARN: a
    wildcard can never hide behind a GetAtt. An intrinsic this does not know fails.
    """

    def getatt(name: str, attr: str) -> str:
        if attr == "Arn" and resources.get(name, {}).get("Type") == "AWS::Logs::LogGroup":
            return f"{PARTITION_REGION_ACCOUNT}:log-group:${{{name}}}:*"
        return f"${{{name}.{attr}}}"

    def sub(text: str, names: dict[str, list[str]]) -> list[str]:
        options = [""]
        for piece in re.split(r"(\$\{[^}]+\})", text):
            match = re.fullmatch(r"\$\{([^}!][^}]*)\}", piece)
            if match and match.group(1) in names:
                choices = names[match.group(1)]
            elif match and "." in match.group(1) and not match.group(1).startswith("AWS::"):
                choices = [getatt(*match.group(1).split(".", 1))]
            else:
                choices = [piece]
            options = [left + right for left in options for right in choices]
        return options

    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return [f"${{{arg}}}"]
        if key == "Fn::GetAtt":
            name, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            return [getatt(name, attr)]
        if key == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else arg
            return sub(text, {k: render(v, resources) for k, v in names.items()})
        if key == "Fn::Join":
            sep, parts = arg
            options = [""]
            for i, part in enumerate(parts):
                joiner = sep if i else ""
                options = [o + joiner + p for o in options for p in render(part, resources)]
            return options
        if key == "Fn::If":
            return render(arg[1], resources) + render(arg[2], resources)
    raise AssertionError(f"cannot check the template value {value!r}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def ref_name(rendered: str) -> str | None:
    """``Name`` for a rendered ``${Name}`` or ``${Name.Attr}``, else None."""
    match = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}", rendered)
    return match.group(1) if match else None


# chalice's API function, and the weekly fixity audit: both only ever read the dataset.
FUNCTIONS = ["APIHandler", "FixityAudit"]


def function(resources, name: str = "APIHandler") -> tuple[str, dict[str, Any]]:
    functions = {
        name: r
        for name, r in resources.items()
        if r.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")
    }
    assert sorted(functions) == FUNCTIONS, "expected chalice's APIHandler and the FixityAudit"
    return name, functions[name]


def function_role(resources, name: str = "APIHandler") -> tuple[str, dict[str, Any]]:
    _, fn = function(resources, name)
    assert "Policies" not in fn["Properties"], "SAM policy templates would widen the role"
    (role_arn,) = render(fn["Properties"]["Role"], resources)
    name = ref_name(role_arn)
    assert name and resources.get(name, {}).get("Type") == "AWS::IAM::Role", (
        f"the function's role must be defined in this template, not {role_arn!r}"
    )
    return name, resources[name]


def data_bucket(resources, name: str = "APIHandler") -> str:
    """The bucket that the function's DATASET_STORE names."""
    _, fn = function(resources, name)
    store = fn["Properties"]["Environment"]["Variables"]["DATASET_STORE"]
    (rendered,) = render(store, resources)
    match = re.fullmatch(r"s3://\$\{([A-Za-z0-9]+)\}/", rendered)
    assert match, f"DATASET_STORE must be s3://<the template's bucket>/, not {rendered!r}"
    name = match.group(1)
    assert resources[name]["Type"] == "AWS::S3::Bucket"
    return name


def function_log_group(resources, name: str = "APIHandler") -> str:
    _, fn = function(resources, name)
    (group,) = render(fn["Properties"]["LoggingConfig"]["LogGroup"], resources)
    name = ref_name(group)
    assert name and resources[name]["Type"] == "AWS::Logs::LogGroup"
    return name


def role_statements(resources, name: str = "APIHandler") -> Iterator[dict[str, Any]]:
    """Every statement of every policy that applies to the function's role."""
    role_name, role = function_role(resources, name)
    props = role["Properties"]
    assert not props.get("ManagedPolicyArns"), (
        "managed policies (e.g. AWSLambdaBasicExecutionRole) grant logs on '*'"
    )
    documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
    for _name, resource in resources.items():
        if resource.get("Type") in (
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::RolePolicy",
        ):
            attached = resource["Properties"].get("Roles", []) + as_list(
                resource["Properties"].get("RoleName", [])
            )
            if any(role_name in {ref_name(r) for r in render(a, resources)} for a in attached):
                documents.append(resource["Properties"]["PolicyDocument"])
    assert documents, "the function's role has no policy at all"
    for document in documents:
        yield from as_list(document["Statement"])


# -- the function's role ----------------------------------------------------------------------


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_role_is_assumed_by_lambda_only(resources, name):
    _, role = function_role(resources, name)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_role_has_no_wildcard_action_or_resource(resources, name):
    bucket = data_bucket(resources, name)
    log_group = function_log_group(resources, name)
    # The only wildcards allowed: object keys in the one data bucket, and log streams in
    # the function's own log group (Lambda names its streams at run time).
    allowed = {f"${{{bucket}.Arn}}/*", f"{PARTITION_REGION_ACCOUNT}:log-group:${{{log_group}}}:*"}
    statements = list(role_statements(resources, name))
    for statement in statements:
        assert not {"NotAction", "NotResource", "NotPrincipal"} & statement.keys(), statement
        for action in as_list(statement["Action"]):
            assert "*" not in action and "?" not in action, f"wildcard action {action!r}"
        for resource in as_list(statement["Resource"]):
            for rendered in render(resource, resources):
                assert "*" not in rendered or rendered in allowed, (
                    f"wildcard resource {rendered!r} in {statement.get('Sid')}"
                )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_role_reads_only_its_bucket_and_writes_only_its_logs(resources, name):
    bucket = data_bucket(resources, name)
    log_group = function_log_group(resources, name)
    seen = set()
    for statement in role_statements(resources, name):
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        seen |= actions
        rendered = [r for res in as_list(statement["Resource"]) for r in render(res, resources)]
        if actions <= FUNCTION_S3_ACTIONS:
            assert {ref_name(r.removesuffix("/*")) for r in rendered} == {bucket}, rendered
            if "s3:ListBucket" in actions:
                assert rendered == [f"${{{bucket}.Arn}}"], "ListBucket on the bucket itself only"
            if "s3:GetObject" in actions:
                assert rendered == [f"${{{bucket}.Arn}}/*"]
        elif actions <= FUNCTION_LOG_ACTIONS:
            assert rendered == [f"{PARTITION_REGION_ACCOUNT}:log-group:${{{log_group}}}:*"]
        else:
            pytest.fail(f"the function may not {sorted(actions)}: it only reads the dataset")
    assert "s3:GetObject" in seen
    assert not [
        a
        for a in seen
        if re.search(r"Put|Delete|Write|Create|Update", a) and not a.startswith("logs:")
    ]


@pytest.mark.parametrize(("name", "days"), [("APIHandler", 90), ("FixityAudit", 400)])
def test_function_reads_the_template_bucket_and_logs_to_its_own_group(resources, name, days):
    bucket = data_bucket(resources, name)
    group = resources[function_log_group(resources, name)]
    # The API's log is kept a month; the audit's reports, a year of weekly runs.
    assert group["Properties"]["RetentionInDays"] <= days
    assert bucket == "DataBucket"


def test_no_bucket_name_is_hard_coded(template):
    # The static policy file names a conventional bucket for `chalice deploy`; the merged
    # template replaces that policy, so the name must not survive into the package.
    assert "iran1988-records-data" not in json.dumps(template)
    assert ".serve/store" not in json.dumps(template)


# -- the data bucket --------------------------------------------------------------------------


def test_data_bucket_is_private_encrypted_versioned_and_kept(resources):
    bucket = resources[data_bucket(resources)]
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "AccessControl" not in props
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {
        "AES256",
        "aws:kms",
        "aws:kms:dsse",
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "WebsiteConfiguration" not in props
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"


def test_data_bucket_policy_denies_every_request_without_tls(resources):
    bucket = data_bucket(resources)
    policies = [
        r["Properties"]
        for r in resources.values()
        if r.get("Type") == "AWS::S3::BucketPolicy"
        and render(r["Properties"]["Bucket"], resources) == [f"${{{bucket}}}"]
    ]
    assert len(policies) == 1
    statements = as_list(policies[0]["PolicyDocument"]["Statement"])
    # It denies, but for one admission: the distribution, reading the downloads.
    allowed = [s for s in statements if s["Effect"] != "Deny"]
    assert len(allowed) == 1, "the bucket policy admits the distribution, and nothing else"
    (admitted,) = allowed
    assert admitted["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert admitted["Action"] in ("s3:GetObject", ["s3:GetObject"])
    assert render(admitted["Resource"], resources) == [f"${{{bucket}.Arn}}/releases/*/files/*"]
    source = admitted["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert render(source, resources)[0].endswith(":distribution/${Distribution}")
    statements = [s for s in statements if s is not admitted]
    tls = [
        s
        for s in statements
        if str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
    ]
    assert len(tls) == 1
    (deny,) = tls
    assert deny["Principal"] in ("*", {"AWS": "*"})
    assert deny["Action"] in ("s3:*", ["s3:*"])
    covered = {r for res in as_list(deny["Resource"]) for r in render(res, resources)}
    assert covered == {f"${{{bucket}.Arn}}", f"${{{bucket}.Arn}}/*"}


def test_publisher_policy_is_separate_from_the_function(resources):
    role_name, _ = function_role(resources)
    publisher = resources["DataPublisherPolicy"]["Properties"]
    assert not {"Roles", "Users", "Groups"} & publisher.keys(), "attached by the account owner"
    actions = {a for s in publisher["PolicyDocument"]["Statement"] for a in as_list(s["Action"])}
    assert actions == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        "s3:ListBucketVersions",
    }
    assert role_name not in json.dumps(publisher)


def test_only_the_redaction_policy_may_purge_versions_through_the_object_lock(resources):
    """Purging versions is for redacting older releases' files (docs/do-no-harm.md), nothing
    else: its own policy, on releases/ only, and no other policy of the template has it."""
    redaction = resources["DataRedactionPolicy"]["Properties"]
    assert not {"Roles", "Users", "Groups"} & redaction.keys(), "attached by the account owner"
    statements = redaction["PolicyDocument"]["Statement"]
    purge = [s for s in statements if "s3:BypassGovernanceRetention" in as_list(s["Action"])]
    assert [sorted(as_list(s["Action"])) for s in purge] == [
        ["s3:BypassGovernanceRetention", "s3:DeleteObjectVersion"]
    ]
    assert {t for s in purge for r in as_list(s["Resource"]) for t in render(r, resources)} == {
        "${DataBucket.Arn}/releases/*"
    }
    others = json.dumps({n: r for n, r in resources.items() if n != "DataRedactionPolicy"})
    assert "BypassGovernanceRetention" not in others and "DeleteObjectVersion" not in others


# -- the API ----------------------------------------------------------------------------------


def test_api_stage_is_throttled_and_never_logs_bodies(resources):
    apis = {n: r for n, r in resources.items() if r.get("Type") == "AWS::Serverless::Api"}
    assert list(apis) == ["RestAPI"]
    settings = apis["RestAPI"]["Properties"]["MethodSettings"]
    by_path = {(s["ResourcePath"], s["HttpMethod"]): s for s in settings}
    everything = by_path[("/*", "*")]
    assert 0 < everything["ThrottlingRateLimit"] <= 1000
    assert 0 < everything["ThrottlingBurstLimit"] <= 2000
    validate = by_path[("/~1validate", "POST")]
    assert validate["ThrottlingRateLimit"] < everything["ThrottlingRateLimit"]
    assert validate["ThrottlingBurstLimit"] < everything["ThrottlingBurstLimit"]
    # Full request logging would write POST /validate bodies to CloudWatch.
    assert not any(s.get("DataTraceEnabled") for s in settings)


def test_outputs_name_the_api_url_and_the_bucket(template, resources):
    outputs = template["Outputs"]
    assert "execute-api" in outputs["EndpointURL"]["Value"]["Fn::Sub"]
    assert render(outputs["DataBucketName"]["Value"], resources) == [
        f"${{{data_bucket(resources)}}}"
    ]
    assert render(outputs["DataStore"]["Value"], resources) == [
        f"s3://${{{data_bucket(resources)}}}/"
    ]


# -- the package as a whole -------------------------------------------------------------------


def test_the_distribution_caches_the_api_and_serves_downloads_through_oac(resources):
    distribution = resources["Distribution"]["Properties"]["DistributionConfig"]
    api, downloads = distribution["Origins"]
    assert api["OriginPath"] == "/v1" and "execute-api" in render(api["DomainName"], resources)[0]
    assert downloads["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert downloads["OriginAccessControlId"] == {
        "Fn::GetAtt": ["DownloadsOriginAccessControl", "Id"]
    }
    (files,) = distribution["CacheBehaviors"]
    assert (files["PathPattern"], files["TargetOriginId"]) == ("/releases/*/files/*", "downloads")
    cache = resources["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert cache["DefaultTTL"] == 0  # only what the API's Cache-Control allows is kept
    key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"]["Headers"] == ["Accept", "Accept-Language"]
    forwarded = resources["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert forwarded["HeadersConfig"]["Headers"] == ["If-None-Match"]
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["DOWNLOADS_VIA_CDN"] == "true"


def test_template_passes_cfn_lint(packaged, tmp_path):
    result = subprocess.run(
        _tool("cfnlint.runner") + CFN_LINT_FLAGS + ["--", str(packaged / "sam.json")],
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"cfn-lint:\n{result.stdout}\n{result.stderr}"


def test_zip_carries_the_code_but_no_data(packaged, template):
    _, fn = function(template["Resources"])
    assert fn["Properties"]["CodeUri"] == "./deployment.zip"
    names = zipfile.ZipFile(packaged / "deployment.zip").namelist()
    assert "app.py" in names and "chalicelib/release/reader.py" in names
    # The pages' templates, stylesheet and catalogues travel with the code.
    for page_file in (
        "chalicelib/serve/templates/record.html",
        "chalicelib/serve/templates/contribute.html",
        "chalicelib/serve/templates/style.css",
        "chalicelib/serve/pages/catalogues/fa.json",
    ):
        assert page_file in names, page_file
    assert not [n for n in names if n.startswith(("data/", "schemas/", ".chalice/", "tests/"))]


def test_the_gateways_own_errors_are_problem_json_with_the_shared_headers(resources):
    """API Gateway answers some requests without calling the function: a path no route has
    (by default a 403 'Missing Authentication Token'), throttling, and its own failures."""
    answers = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources.values()
        if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }
    assert {"MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(
        answers
    )
    assert answers["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert answers["THROTTLED"]["StatusCode"] == "429"
    for kind, answer in answers.items():
        assert answer["RestApiId"] == {"Ref": "RestAPI"}
        headers = answer["ResponseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'", kind
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'", kind
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'", kind
        template = answer["ResponseTemplates"]["application/json"]
        # The templates are VTL; with the one variable rendered as a JSON string, each must
        # be a problem document.
        problem = json.loads(template.replace("$context.error.messageString", '"message"'))
        assert problem["type"].startswith("https://iran1988.example/problems/"), kind
        assert {"title", "detail"} <= set(problem)
        if "StatusCode" in answer:
            assert problem["status"] == int(answer["StatusCode"])


def test_every_unknown_path_reaches_the_function_which_answers_a_page_or_a_problem(resources):
    """The greedy '/{proxy+}' resource hands the function every path no other resource has, so
    a browser gets the site's 404 page (docs/deployment.md, "Unknown paths"); it declares no
    parameter chalice would name 'proxy+', a name the gateway never sends."""
    from chalicelib.serve.route import UNKNOWN_PATHS

    (api,) = [r for r in resources.values() if r.get("Type") == "AWS::Serverless::Api"]
    methods = api["Properties"]["DefinitionBody"]["paths"][UNKNOWN_PATHS]
    assert {"get", "head", "post", "put", "patch", "delete", "options"} <= set(methods)
    for method in methods.values():
        assert method["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
        assert all(p.get("name") != "proxy+" for p in method.get("parameters", ()))


# -- integrity, availability, and what a scanner reads (docs/integrity.md) ---------------------


def test_every_version_of_the_data_is_locked_in_governance_mode_and_replicated(resources):
    bucket = resources["DataBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    retention = bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    # Governance, not compliance: a redaction must still be able to purge a version.
    assert retention["Mode"] == "GOVERNANCE"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    replicated, none = bucket["ReplicationConfiguration"]["Fn::If"][1:]
    assert none == {"Ref": "AWS::NoValue"}
    (rule,) = replicated["Rules"]
    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": ""}
    assert rule["Destination"]["Bucket"] == {"Ref": "ReplicaBucketArn"}
    policy = resources["ReplicationPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for st in policy for a in as_list(st["Action"])}
    assert not {a for a in actions if "Delete" in a}, "the replica never loses a version"


def test_the_audit_runs_weekly_without_retries_and_a_failure_raises_an_alarm(resources):
    _, audit = function(resources, "FixityAudit")
    props = audit["Properties"]
    assert props["Handler"] == "chalicelib.release.audit.handler"
    (event,) = props["Events"].values()
    assert event == {
        "Type": "Schedule",
        "Properties": {
            "Schedule": "rate(7 days)",
            "Description": "The weekly fixity audit of every published release",
            "Enabled": True,
        },
    }
    assert props["EventInvokeConfig"] == {"MaximumRetryAttempts": 0}
    assert props["ReservedConcurrentExecutions"] == 1
    alarm = resources["FixityAuditAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "FixityAudit"}}]


def test_no_log_keeps_a_readers_address_and_every_log_says_how_long_it_lives(resources):
    api = resources["RestAPI"]["Properties"]["AccessLogSetting"]
    fields = json.loads(api["Format"])
    assert not [v for v in fields.values() if "sourceIp" in v or "userAgent" in v]
    assert not [v for v in fields.values() if "identity" in v]
    groups = {n: r for n, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert set(groups) == {"APIHandlerLogGroup", "ApiAccessLogGroup", "FixityAuditLogGroup"}
    assert all(g["Properties"]["RetentionInDays"] <= 400 for g in groups.values())
    distribution = resources["Distribution"]["Properties"]["DistributionConfig"]
    assert "Logging" not in distribution  # CloudFront's logs always hold the viewer's address
    waf = resources["ReaderRateLimit"]["Properties"]
    assert waf["VisibilityConfig"]["SampledRequestsEnabled"] is False
    assert not any(r["VisibilityConfig"]["SampledRequestsEnabled"] for r in waf["Rules"])


def test_floods_are_capped_and_viewers_held_to_tls_1_2(resources):
    waf = resources["ReaderRateLimit"]["Properties"]
    (rule,) = waf["Rules"]
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rule["Action"] == {"Block": {}}
    distribution = resources["Distribution"]["Properties"]["DistributionConfig"]
    assert distribution["WebACLId"]["Fn::If"][1] == {"Fn::GetAtt": ["ReaderRateLimit", "Arn"]}
    assert distribution["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    reserved = resources["APIHandler"]["Properties"]["ReservedConcurrentExecutions"]
    assert reserved == {"Ref": "ApiConcurrencyLimit"}


CHECKOV = ROOT / ".checkov-venv" / "bin" / "checkov"
# checkov's command line, with its JSONPath parser built once (the script says why).
RUN_CHECKOV = [str(CHECKOV.parent / "python"), str(ROOT / "tools" / "run_checkov.py")]


def test_checkov_finds_nothing_and_every_skip_says_why(packaged, template, tmp_path):
    """The scanner AWS users run, in its own pinned virtualenv (make checkov-install)."""
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_[0-9]+", skip["id"]), (name, skip)
            assert len(skip.get("comment", "")) > 40, f"{name} skips {skip['id']} without a reason"
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: make checkov-install (make test does)")
    result = subprocess.run(
        [
            *RUN_CHECKOV,
            "--framework",
            "cloudformation",
            "--compact",
            "--quiet",
            "--skip-download",
            "--output",
            "json",
            "-f",
            str(packaged / "sam.json"),
        ],
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = json.loads(result.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert report["summary"]["passed"] > 50
    assert result.returncode == 0, result.stderr[-2000:]
