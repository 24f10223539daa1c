"""The local gateway serves exactly the template's routes, with the template's auth."""

import os

import yaml
from samtranslator.translator.transform import transform

from conftest import ROOT, anon  # noqa: F401


class _Loader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    # Keep intrinsic functions in their long form, as CloudFormation reads them.
    name = {"Ref": "Ref", "GetAtt": "Fn::GetAtt"}.get(suffix, f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


class _NoIam:
    def get_managed_policy_map(self):
        return {}


def transformed_template():
    """template.yaml as CloudFormation gets it: SAM's own transform (routes, roles and
    their policies as AWS would create them)."""
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    params = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"}
    for resource in template["Resources"].values():
        # What `sam package` puts there: the uploaded code and state machine definitions.
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"
        if resource["Type"] == "AWS::Serverless::StateMachine":
            resource["Properties"]["DefinitionUri"] = "s3://bucket/definition.asl.json"
    return transform(template, params, _NoIam())


def openapi_routes():
    """Routes as AWS would create them: the HTTP API's OpenAPI body in SAM's transform
    (independent of the gateway's own template reading)."""
    out = transformed_template()
    apis = [r for r in out["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    assert len(apis) == 1
    routes = set()
    for path, methods in apis[0]["Properties"]["Body"]["paths"].items():
        for method, op in methods.items():
            # SAM marks an anonymous route with the pseudo-authorizer NONE.
            secured = any(name != "NONE" for req in op.get("security", []) for name in req)
            uri = op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            function = uri.split("functions/${", 1)[1].split(".Arn}", 1)[0]
            routes.add((method.upper(), path, function, secured))
    return routes


def test_gateway_routes_are_exactly_the_templates(anon):
    served = {(r["method"], r["path"], r["function"], r["authorized"]) for r in anon.get("/_local/routes").json()}
    assert served == openapi_routes()
    http_functions = [r for r in yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)["Resources"].values()
                      if r["Type"] == "AWS::Serverless::Function"
                      and any(e["Type"] == "HttpApi" for e in r["Properties"].get("Events", {}).values())]
    assert len(served) == len(http_functions)


def test_unknown_routes_are_404(anon):
    assert anon.get("/no/such/route").status_code == 404
    assert anon.request("PATCH", "/categories").status_code == 404
