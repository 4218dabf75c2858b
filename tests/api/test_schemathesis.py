"""The whole OpenAPI document, fuzzed (schemathesis): every operation, as a rep and as an admin,
with generated valid and invalid input. No answer is a 5xx, and every answer is one the document
describes (status, content type, body). Seeded (derandomized), so a run is repeatable; bounded, so
the whole document takes well under a minute. Runs on whichever engine the suite runs on.

Each operation is a test of its own (its writes rolled back after it). Generated ids rarely name a
record, so half of the path ids are swapped for ids of the World's records: the services then see
bad input for records that exist, which is where 500s hide.
"""

import os
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import TestConfig
from salesflow import clock, create_app
from salesflow.auth.services import create_token
from salesflow.extensions import db
from tests import factories as f
from tests.conftest import World

# Per operation and caller; FUZZ_EXAMPLES=200 for a deeper run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) of the document, read once at collection (no database needed)."""
    spec = create_app(TestConfig).test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _world(who: str) -> tuple[dict[str, str], dict[str, int]]:
    """The World with a deal, committed; the caller's token and the ids of real records."""
    world = World()
    deal = f.make_opportunity(
        account=world.account_a,
        playbook="transactional",
        roles={world.rep_a: "AR"},
        amount=10_000,
        expected_close=date(2027, 3, 31),
    )
    token = create_token(getattr(world, who), now=clock.now())
    db.session.commit()
    real = {
        "account_id": world.account_a.id,
        "contact_id": world.contact_a.id,
        "interaction_id": world.interaction_a.id,
        "opportunity_id": deal.id,
        "user_id": world.rep_a.id,
        "team_id": world.team_a.id,
    }
    return {"Authorization": f"Bearer {token}"}, real


@pytest.mark.parametrize("who", ["rep_a", "admin"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_operation_answers_5xx_or_off_the_document(api_schema, ctx, now, who, method, path):
    headers, real = _world(who)
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @FUZZ
    @given(case=cases)
    def call(case):
        for name, value in (case.path_parameters or {}).items():
            if name in real and isinstance(value, int) and value % 2 == 0:
                case.path_parameters[name] = real[name]
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
