"""RingbackStack: the constructs wired into one deployable template."""
from __future__ import annotations


def _references(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str) and not value["Ref"].startswith("AWS::"):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for item in value.values():
            _references(item, found)
    elif isinstance(value, list):
        for item in value:
            _references(item, found)
    return found


def test_template_has_no_dependency_cycle(synth):
    """CloudFormation refuses a cyclic template at deploy time; synthesis does not."""
    resources = synth.resources
    edges = {
        logical: {
            d for d in _references(resource.get("Properties", {}), set()) | set(resource.get("DependsOn", []))
            if d in resources
        }
        for logical, resource in resources.items()
    }
    visiting, done = set(), set()

    def visit(node: str, trail: list[str]) -> None:
        if node in done:
            return
        assert node not in visiting, "cycle: " + " -> ".join(trail + [node])
        visiting.add(node)
        for dependency in edges[node]:
            visit(dependency, trail + [node])
        visiting.discard(node)
        done.add(node)

    for node in edges:
        visit(node, [])


def test_outputs_name_what_operators_and_the_frontend_need(synth):
    outputs = synth.template.to_json()["Outputs"]
    assert {"PublicBaseUrl", "FrontendBucket", "DistributionId", "UserPoolId", "DashboardClientId"} <= set(outputs)
