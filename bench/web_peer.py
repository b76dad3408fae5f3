"""The peer of ``bench.web``: the smallest FastAPI + SQLAlchemy service that answers
``GET /api/models`` as Entrepôt does (a bearer token looked up by its sha256 in the same
catalog, the caller's ready model versions listed as JSON).

It reads the very database the Entrepôt server under test writes, runs under the same
uvicorn with the same options, and has none of the product's care: no middleware (request
ids, security headers, body limits, sessions, proxies), no audit of token use, one query
per step. Run: ``python -m bench.web_peer DATABASE_URL PORT``.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy import create_engine, text

TOKEN = text(
    "SELECT users.id FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
    "WHERE api_tokens.token_hash = :hash AND api_tokens.revoked_at IS NULL "
    "AND users.is_active"
)
MODELS = text(
    "SELECT id, name, version, flavor, metrics, created_at FROM model_versions "
    "WHERE namespace = :namespace AND state = 'ready' ORDER BY created_at DESC, id DESC"
)


def create_app(database_url: str) -> FastAPI:
    """The peer service over ``database_url``."""
    engine = create_engine(database_url)
    app = FastAPI()

    @app.get("/api/models")
    def models(authorization: Annotated[str, Header()] = "") -> list[dict[str, Any]]:
        token = authorization.removeprefix("Bearer ").strip()
        digest = hashlib.sha256(token.encode()).hexdigest()
        with engine.connect() as connection:
            user_id = connection.execute(TOKEN, {"hash": digest}).scalar()
            if user_id is None:
                raise HTTPException(401, "invalid token")
            rows = connection.execute(MODELS, {"namespace": str(user_id)}).mappings().all()
        return [dict(row) for row in rows]

    return app


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(create_app(database_url), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
