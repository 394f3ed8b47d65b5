"""The simulator publishes its API as OpenAPI: every endpoint, model, field and error described."""

from __future__ import annotations

from typing import Any

import httpx

from bot.court.simulator import create_simulator
from tests.bot.court.server import run_in_thread

PII_FIELDS = {"name", "id_number", "phone", "query_code", "parties"}


def fetch_spec(api_key: str | None = None, faults: bool = False) -> dict[str, Any]:
    with run_in_thread(create_simulator(None, api_key, faults=faults)) as url:
        answer = httpx.get(f"{url}/openapi.json")
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    return spec


def test_openapi_lists_the_case_endpoints() -> None:
    paths = fetch_spec()["paths"]
    assert set(paths) == {
        "/v1/cases/verify",
        "/v1/cases/{case_number}",
        "/v1/cases/{case_number}/hearings",
        "/v1/cases/{case_number}/events",
        "/v1/cases/{case_number}/payments",
    }
    assert set(paths["/v1/cases/verify"]) == {"post"}
    for path, operations in paths.items():
        for operation in operations.values():
            assert operation["summary"], path


def test_every_model_and_field_is_described_and_none_carries_personal_data() -> None:
    schemas = fetch_spec(faults=True)["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # our 422 body replaces FastAPI's
    for name, schema in schemas.items():
        assert schema.get("description"), name
        for field, prop in schema["properties"].items():
            assert prop.get("description"), f"{name}.{field}"
        if name != "VerifyRequest":
            assert not PII_FIELDS & set(schema["properties"]), name


def test_every_error_status_is_documented_with_the_chinese_error_body() -> None:
    paths = fetch_spec()["paths"]
    verify = paths["/v1/cases/verify"]["post"]["responses"]
    assert set(verify) == {"200", "401", "404", "422", "429"}
    read = paths["/v1/cases/{case_number}/payments"]["get"]["responses"]
    assert set(read) == {"200", "401", "403", "422"}
    for responses in (verify, read):
        for status, response in responses.items():
            assert response["description"], status
            if status != "200":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "not_found_or_unverified" in verify["404"]["description"]


def test_security_follows_the_configuration() -> None:
    keyless = fetch_spec()["paths"]
    assert keyless["/v1/cases/verify"]["post"]["security"] == []
    assert keyless["/v1/cases/{case_number}"]["get"]["security"] == [{"HTTPBearer": []}]
    keyed = fetch_spec(api_key="k")
    assert keyed["paths"]["/v1/cases/{case_number}"]["get"]["security"] == [
        {"APIKeyHeader": [], "HTTPBearer": []}
    ]
    assert keyed["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"


def test_fault_injection_is_documented_only_when_on() -> None:
    assert set(fetch_spec(faults=True)["paths"]["/_sim/faults"]) == {"get", "put", "post", "delete"}
    assert "/_sim/faults" not in fetch_spec()["paths"]
