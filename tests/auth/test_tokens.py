"""Issuing, listing, revoking and authenticating tokens (service, CLI and HTTP)."""

import hashlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from api.errors import InvalidInputError, NotFoundError
from api.services.tokens import (
    ForbiddenError,
    UnauthorizedError,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from models.access import ApiToken, TokenScope
from tests.auth.conftest import Tokens


def test_only_the_digest_is_stored(empty_engine: sa.Engine) -> None:
    issued = create_token(empty_engine, name="  nightly   ingest ", scope=TokenScope.WRITE)
    assert issued.token.startswith("ig_") and len(issued.token) == 46
    with Session(empty_engine) as session:
        [row] = session.exec(select(ApiToken)).all()
    assert row.digest == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in {row.digest, row.prefix, row.name}
    assert row.prefix == issued.token[:10]
    assert (row.name, row.scope) == ("nightly ingest", TokenScope.WRITE)


def test_authenticate_checks_scope_order_and_records_use(empty_engine: sa.Engine) -> None:
    write = create_token(empty_engine, name="w", scope=TokenScope.WRITE)
    header = f"Bearer {write.token}"
    assert authenticate(empty_engine, header, TokenScope.READ).id == write.view.id
    assert authenticate(empty_engine, header, TokenScope.WRITE).name == "w"
    with pytest.raises(ForbiddenError) as refused:
        authenticate(empty_engine, header, TokenScope.ADMIN)
    assert refused.value.status == 403
    with Session(empty_engine) as session:
        [view] = list_tokens(session)
    assert view.last_used_at is not None
    for bad in (None, "", "Bearer", "Token abc", f"bearer {write.token}x"):
        with pytest.raises(UnauthorizedError):
            authenticate(empty_engine, bad, TokenScope.READ)
    # The scheme is case-insensitive (RFC 7235).
    assert authenticate(empty_engine, f"bearer {write.token}", TokenScope.WRITE)


def test_revoke_by_id_or_prefix(empty_engine: sa.Engine) -> None:
    first = create_token(empty_engine, name="a", scope=TokenScope.READ)
    second = create_token(empty_engine, name="b", scope=TokenScope.ADMIN)
    assert revoke_token(empty_engine, str(first.view.id)).revoked_at is not None
    revoked = revoke_token(empty_engine, second.view.prefix)
    assert revoked.id == second.view.id and not revoked.active
    assert revoke_token(empty_engine, second.view.prefix).revoked_at == revoked.revoked_at
    with Session(empty_engine) as session:
        assert list_tokens(session) == []
        assert [v.name for v in list_tokens(session, include_revoked=True)] == ["a", "b"]
    with pytest.raises(UnauthorizedError):
        authenticate(empty_engine, f"Bearer {second.token}", TokenScope.READ)
    with pytest.raises(NotFoundError, match="no token has this id or prefix"):
        revoke_token(empty_engine, "999")


def test_a_token_needs_a_name(empty_engine: sa.Engine) -> None:
    with pytest.raises(InvalidInputError) as error:
        create_token(empty_engine, name="   ", scope=TokenScope.READ)
    assert error.value.problems[0].field == "name"


def test_cli_create_list_revoke(empty_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.config import get_settings

    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", empty_engine.url.render_as_string(False))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(cli, ["token", "create", "--name", "ci bot", "--scope", "admin"])
        assert created.exit_code == 0, created.output
        token = created.stdout.strip()
        assert token.startswith("ig_")
        assert "cannot be shown again" in created.stderr
        authenticate(empty_engine, f"Bearer {token}", TokenScope.ADMIN)

        listed = runner.invoke(cli, ["token", "list"])
        assert token not in listed.stdout
        assert (
            token[:10] in listed.stdout and "admin" in listed.stdout and "ci bot" in listed.stdout
        )

        revoked = runner.invoke(cli, ["token", "revoke", token[:10]])
        assert revoked.exit_code == 0 and "revoked" in revoked.stdout
        assert runner.invoke(cli, ["token", "list"]).stdout == ""
        assert "revoked" in runner.invoke(cli, ["token", "list", "--all"]).stdout
        missing = runner.invoke(cli, ["token", "revoke", "ig_nothing"])
        assert missing.exit_code == 1 and "no token has this id or prefix" in missing.stderr
        bad_scope = runner.invoke(cli, ["token", "create", "--name", "x", "--scope", "root"])
        assert bad_scope.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_admins_manage_tokens_over_http(client: TestClient, tokens: Tokens) -> None:
    admin = {"authorization": f"Bearer {tokens.admin}"}
    created = client.post("/api/v1/tokens", json={"name": "remote curator"}, headers=admin)
    assert created.status_code == 201
    body = created.json()
    assert body["scope"] == "write" and body["token"].startswith("ig_")
    as_new = {"authorization": f"Bearer {body['token']}"}
    ingest = client.post("/api/v1/ingest/arxiv", json={"ids": []}, headers=as_new)
    assert ingest.status_code == 400  # past the token check

    listed = client.get("/api/v1/tokens", headers=admin).json()
    assert [t["name"] for t in listed] == ["spare", "reader", "curator", "root", "remote curator"]
    assert all("token" not in t for t in listed)

    revoked = client.delete(f"/api/v1/tokens/{body['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    after = client.post("/api/v1/ingest/arxiv", json={"ids": []}, headers=as_new)
    assert after.status_code == 401
    assert client.delete("/api/v1/tokens/999", headers=admin).status_code == 404
    bad = client.post("/api/v1/tokens", json={"name": "x", "scope": "root"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["problems"][0]["field"] == "scope"
