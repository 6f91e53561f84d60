"""Every operation of the OpenAPI document, fuzzed by schemathesis through the HTTP app,
signed in as an organiser and as a participant: no answer is a server error, and the
JSON API's answers match the document.

Bounded so that it stays a CI test: a few examples per operation and kind of data
(valid and invalid), derandomized (the same cases on every run: a failure reproduces
and nothing is flaky), and no shrinking of a failure found.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

from matchmaker.models import Account, OrgKind
from matchmaker.web.session_cookie import SESSION_COOKIE
from tests.conftest import csrf_token
from tests.sessions import make_world, open_session, sqlite_only

# Operations whose purpose is to end or replace the session (the rest of the run would
# be anonymous), or that start the solver in the background.
NOT_FUZZED = {
    ("POST", "/signout"),
    ("POST", "/signin"),
    ("POST", "/signin/link/{token}"),
    ("POST", "/me/password"),
    ("POST", "/organiser/solve"),
}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
FUZZ_SETTINGS = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _fuzz(operation: Any, mode: GenerationMode, call: Any) -> str | None:
    """The first failure among the operation's examples, or None."""

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        call(case)

    try:
        run()
    except Unsatisfiable:  # no invalid input exists (no parameters, or free text only)
        return None
    except (Exception, BaseExceptionGroup) as exc:  # checks' failures, with how to reproduce
        return f"{operation.label} ({mode.value}): {exc}"
    return None


def _constrained(operation: Any) -> bool:
    """Whether invalid input exists: a parameter that is not free text (forms' bodies
    take any fields, tokens any text)."""
    return any(
        p.definition.get("schema") != {"type": "string"} for p in operation.iter_parameters()
    )


def _signed_in_cookies(app: Litestar, account: Account | None) -> dict[str, str]:
    """The cookies of a browser signed in as `account` (session and CSRF token). The
    client is closed before schemathesis calls the app: the app runs one lifespan at
    a time (a second one would replace its event emitter's stream)."""
    with TestClient(app, base_url="http://testserver.local") as client:
        open_session(client, account)
        return {
            SESSION_COOKIE: str(client.cookies[SESSION_COOKIE]),
            "csrftoken": csrf_token(client),
        }


@sqlite_only
@pytest.mark.parametrize("role", ["organiser", "participant"])
def test_api_fuzz_no_server_errors_and_api_answers_match_the_document(
    app: Litestar, db: Session, role: str
) -> None:
    cookies = _signed_in_cookies(app, make_world(db).account(role))
    headers = {"x-csrftoken": cookies["csrftoken"]}
    # The document is behind the sign-in like the rest of /api.
    schema = schemathesis.openapi.from_asgi("/api/schema/openapi.json", app, cookies=cookies)

    def call(case: Any) -> None:
        if case.path.startswith("/api/") and not case.path.startswith("/api/schema"):
            case.call_and_validate(cookies=cookies, headers=headers)
        else:
            # Pages answer HTML, which the document (Litestar's, listing every route)
            # does not describe: only that they do not fail.
            case.call_and_validate(cookies=cookies, headers=headers, checks=[not_a_server_error])

    failures: list[str] = []
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in NOT_FUZZED:
            continue
        fuzzed += 1
        for mode in MODES if _constrained(operation) else MODES[:1]:
            failure = _fuzz(operation, mode, call)
            if failure:
                failures.append(failure)

    assert fuzzed > 60
    assert not failures, "\n\n".join(failures)
    me = schema["/api/me"]["GET"].Case().call(cookies=cookies)
    assert me.json()["role"] == role  # still signed in at the end: every case was signed in


# What the fuzzing found: answers the document did not describe


@sqlite_only
def test_api_document_lists_the_kinds_the_participant_search_takes(
    client: TestClient, db: Session
) -> None:
    open_session(client, make_world(db).organiser)
    document = client.get("/api/schema/openapi.json").json()
    parameters = document["paths"]["/api/participants"]["get"]["parameters"]
    (kind,) = [p for p in parameters if p["name"] == "kind"]

    assert kind["schema"]["enum"] == ["", *(k.value for k in OrgKind)]
    assert client.get("/api/participants", params={"kind": "0"}).status_code == 400


@sqlite_only
def test_api_document_describes_the_error_answers_the_api_gives(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.organiser)
    document = client.get("/api/schema/openapi.json").json()
    open_session(client, world.own_account)
    forbidden = client.get("/api/participants")
    open_session(client, world.organiser)
    refused = client.get("/api/participants", params={"page": "abc"})

    responses = document["paths"]["/api/participants"]["get"]["responses"]
    assert sorted(responses) == ["200", "400", "401", "403", "404"]
    error = document["components"]["schemas"][
        responses["403"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert sorted(error["required"]) == ["detail", "error", "status_code"]
    assert forbidden.status_code == 403
    assert sorted(forbidden.json()) == ["detail", "error", "status_code"]
    # a validation error as the document's 400 says: the text in "detail", fields in "extra"
    assert isinstance(refused.json()["detail"], str)
    assert [item["key"] for item in refused.json()["extra"]] == ["page"]
