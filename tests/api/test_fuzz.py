"""Fuzzing the JSON API with schemathesis against its own OpenAPI document, signed in as a supervisor.

Bounded so it runs in `make test`: every operation with generated valid and invalid input (stateless), then
scenarios that follow the document's links (stateful) from real zones, tasks and hazards to their details,
actions and photos. Held to: no 5xx, every answer's status, content type and body as the document says.
The examples are derandomized so a failure here is the same failure on the next run.
"""

import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.no_api_contract  # schemathesis holds each answer to the document itself

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = settings(max_examples=12, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def world(app, make_hazard, make_user, make_zone, sign_in):
    """A supervisor's session and hazards in every state (with photos) for the links to lead to."""
    supervisor = make_user(roles=("supervisor", "patrol", "rectifier"))
    rectifier = make_user(roles=("rectifier",))
    zone = make_zone(responsible=rectifier)
    for state in ("reported", "assigned", "awaiting_recheck", "closed", "invalid"):
        make_hazard(state, zone=zone, supervisor=supervisor, rectifier=rectifier)
    make_hazard("assigned", zone=zone, supervisor=supervisor, rectifier=supervisor)  # a task of my own
    client = sign_in(supervisor)
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    cookie = client.get_cookie("session")
    # Identity: the WSGI transport hands schemathesis the bytes as sent, and it reads bodies as text.
    signed_in = {"headers": {"X-CSRFToken": token, "Accept-Encoding": "identity"},
                 "cookies": {"session": cookie.value}}
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), signed_in


def test_every_operation_takes_whatever_it_is_sent(world):
    schema, signed_in = world
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    answered = Counter()
    for operation in operations:
        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(**signed_in)
            answered[response.status_code // 100] += 1
            case.validate_response(response, checks=CHECKS)

        run()
    print("stateless answers by class:", dict(answered))
    assert answered[2] and answered[4] and not answered[5]


def test_scenarios_follow_the_links_to_real_hazards(world):
    schema, signed_in = world
    answered = Counter()

    class Scenarios(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return signed_in

        def after_call(self, response, case):
            answered[(case.operation.label, response.status_code)] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(settings=settings(BOUNDED, max_examples=25, stateful_step_count=6))
    print("stateful answers:", dict(sorted(answered.items())))
    # The links lead to real records: hazards opened, acted on, and photos fetched, not only 404s.
    assert answered[("GET /hazards/{hazard_id}", 200)]
    assert sum(n for (label, status), n in answered.items()
               if label == "POST /hazards/{hazard_id}/actions" and status != 404)


def test_a_form_part_with_an_unreadable_name_is_ignored(app, make_hazard, sign_in):
    """Found by the fuzzer: a part named "%0A" reached the parser as a field with no name (a 500)."""
    hazard = make_hazard("awaiting_recheck")
    client = sign_in(hazard.people.supervisor)
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="%0A"\r\n\r\nnull\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\nfail\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n{uuid.uuid4()}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="seen_state"\r\n\r\nclosed\r\n'
            f'--{boundary}--\r\n')
    response = client.post(f"/api/v1/hazards/{hazard.id}/actions", data=body.encode(),
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 409  # the hazard is not closed: the seen state is stale, nothing written
    assert response.get_json()["error"]["code"]
