"""The OpenAPI document is generated from the code and describes the whole API.md contract."""

import pytest

CONTRACT = {
    "/api/v1/tokens": {"post", "get"},
    "/api/v1/tokens/current": {"delete"},
    "/api/v1/tokens/{token_id}": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/me/calendar": {"post"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{user_id}": {"get", "patch"},
    "/api/v1/accounts": {"get", "post"},
    "/api/v1/accounts/{account_id}": {"get", "patch", "delete"},
    "/api/v1/accounts/{account_id}/team": {"get", "put"},
    "/api/v1/accounts/{account_id}/decision-chain": {"get"},
    "/api/v1/contacts": {"get", "post"},
    "/api/v1/contacts/{contact_id}": {"get", "patch", "delete"},
    "/api/v1/contacts/{contact_id}/vcard": {"get"},
    "/api/v1/interactions": {"get", "post"},
    "/api/v1/interactions/{interaction_id}": {"get", "patch", "delete"},
    "/api/v1/interactions/{interaction_id}/reschedule": {"post"},
    "/api/v1/playbooks": {"get"},
    "/api/v1/playbooks/{key}": {"get"},
    "/api/v1/opportunities": {"get", "post"},
    "/api/v1/opportunities/{opportunity_id}": {"get", "patch"},
    "/api/v1/opportunities/{opportunity_id}/roles": {"put"},
    "/api/v1/opportunities/{opportunity_id}/gates": {"get"},
    "/api/v1/opportunities/{opportunity_id}/advance": {"post"},
    "/api/v1/opportunities/{opportunity_id}/checklist": {"post"},
    "/api/v1/opportunities/{opportunity_id}/approvals": {"post"},
    "/api/v1/opportunities/{opportunity_id}/close": {"post"},
    "/api/v1/opportunities/{opportunity_id}/history": {"get"},
    "/api/v1/reports/dependency": {"get"},
    "/api/v1/reports/departure": {"post"},
    "/api/v1/reports/pipeline": {"get"},
    "/api/v1/reports/requests": {"get"},
    "/api/v1/handovers": {"get", "post"},
    "/api/v1/handovers/{handover_id}": {"get"},
    "/api/v1/notifications": {"get"},
    "/api/v1/imports": {"get", "post"},
    "/api/v1/imports/{import_id}": {"get"},
    "/api/v1/imports/{import_id}/rows": {"get"},
    "/api/v1/imports/{import_id}/commit": {"post"},
    "/api/v1/imports/{import_id}/errors.csv": {"get"},
    "/api/v1/imports/{import_id}/undo": {"post"},
    "/api/v1/accounts/{account_id}/merge": {"post"},
    "/api/v1/contacts/{contact_id}/merge": {"post"},
    "/api/v1/merges/{merge_id}/undo": {"post"},
}


@pytest.fixture(scope="module")
def spec(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize("path", sorted(CONTRACT))
def test_every_contract_endpoint_is_documented(spec, path):
    assert path in spec["paths"], f"{path} missing from the OpenAPI document"
    assert CONTRACT[path] <= set(spec["paths"][path])


def test_the_document_covers_only_the_api(spec):
    assert all(path.startswith("/api/v1/") for path in spec["paths"])


def test_everything_but_login_requires_a_bearer_token(spec):
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method, path) == ("post", "/api/v1/tokens"):
                assert not operation.get("security")
            else:
                assert operation.get("security") == [{"BearerAuth": []}], f"{method} {path}"


@pytest.mark.parametrize(
    "method, path, statuses",
    [
        ("post", "/api/v1/tokens", {"201", "401", "422", "429"}),
        ("get", "/api/v1/tokens", {"200", "401", "422"}),
        ("delete", "/api/v1/tokens/current", {"204", "401"}),
        ("delete", "/api/v1/tokens/{token_id}", {"204", "401", "404"}),
    ],
)
def test_the_token_endpoints_describe_every_response(spec, method, path, statuses):
    assert statuses <= set(spec["paths"][path][method]["responses"])


def test_the_document_is_valid_openapi_3_1(spec):
    """Every `$ref` resolves and every schema is valid for its version (3.1 allows the null type
    that optional fields use); a tool that reads the document can trust it."""
    from openapi_spec_validator import validate

    assert spec["openapi"].startswith("3.1")
    validate(spec)


UPDATES = [
    ("patch", "/api/v1/accounts/{account_id}"),
    ("patch", "/api/v1/contacts/{contact_id}"),
    ("patch", "/api/v1/interactions/{interaction_id}"),
    ("post", "/api/v1/interactions/{interaction_id}/done"),
    ("post", "/api/v1/interactions/{interaction_id}/reschedule"),
    ("patch", "/api/v1/opportunities/{opportunity_id}"),
    ("post", "/api/v1/opportunities/{opportunity_id}/advance"),
    ("post", "/api/v1/opportunities/{opportunity_id}/back"),
    ("post", "/api/v1/opportunities/{opportunity_id}/close"),
    ("post", "/api/v1/opportunities/{opportunity_id}/reopen"),
    ("post", "/api/v1/accounts/{account_id}/merge"),
    ("post", "/api/v1/contacts/{contact_id}/merge"),
]


@pytest.mark.parametrize(("method", "path"), UPDATES)
def test_every_update_of_a_versioned_record_requires_the_version_read(spec, method, path):
    operation = spec["paths"][path][method]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "version" in body["required"]
    assert {"409", "422"} <= set(operation["responses"])


def test_error_answers_are_described_in_the_shape_the_api_sends(spec):
    error = spec["components"]["schemas"]["HTTPError"]
    assert error["required"] == ["error"]
    assert {"code", "message", "fields"} <= set(error["properties"]["error"]["properties"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "{" in path:
                assert "404" in operation["responses"], f"{method} {path}"
