"""A ``.env`` file's AWS variables reach the AWS SDK (issue 26 item 7): the installed
``entrepot``, run in a folder holding only a ``.env`` and with no AWS variable in its
environment, creates the bucket and stores a file on the S3 server the file names, and
``config show`` says where each variable came from without showing a secret. Before,
settings read only ``ENTREPOT_*`` and the SDK found no credentials and no endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

from tests.support.cli import ENTRY_POINT
from tests.support.network import S3_REGION, unique_bucket
from tests.support.waiting import HANG_GUARD


def test_a_dotenv_file_gives_the_aws_sdk_its_credentials_and_endpoint(
    s3_endpoint: str, s3_client: Any, tmp_path: Path
) -> None:
    folder, home = tmp_path / "instance", tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    bucket, secret = unique_bucket(), f"dotenv-secret-{uuid.uuid4().hex}"
    (folder / ".env").write_text(
        f"ENTREPOT_STORE_URL=s3://{bucket}/team\n"
        f"AWS_ACCESS_KEY_ID=AKIA{uuid.uuid4().hex[:16].upper()}\n"
        f"AWS_SECRET_ACCESS_KEY={secret}\n"
        f"AWS_DEFAULT_REGION={S3_REGION}\n"
        f"AWS_ENDPOINT_URL={s3_endpoint}\n"
        "AWS_EC2_METADATA_DISABLED=true\n"
        "UNRELATED_TOOL_SETTING=on\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ENTREPOT_"))}
    env.update(HOME=str(home), COLUMNS="200")

    def entrepot(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*ENTRY_POINT, *args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        assert secret not in done.stdout + done.stderr
        return done

    payload = folder / "payload.txt"
    payload.write_bytes(b"stored through credentials read from .env\n")
    for args in (("bucket", "create"), ("db", "upgrade"), ("put", str(payload), "files/p.txt")):
        done = entrepot(*args)
        assert done.returncode == 0, (args, done.stderr)

    # what the server holds, read by a client of the test's own
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix="team/")
    bodies = [
        s3_client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed.get("Contents", [])
    ]
    assert payload.read_bytes() in bodies

    shown = entrepot("config", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {row["env_var"]: row for row in json.loads(shown.stdout)}
    assert rows["AWS_SECRET_ACCESS_KEY"]["value"] == "****"
    assert rows["AWS_SECRET_ACCESS_KEY"]["source"].startswith(".env file, read by the AWS SDK")
    assert rows["ENTREPOT_S3_ENDPOINT_URL"] == {
        "name": "s3_endpoint_url",
        "env_var": "ENTREPOT_S3_ENDPOINT_URL",
        "value": s3_endpoint,
        "source": "AWS_ENDPOINT_URL (.env file)",
    }
    assert rows["UNRELATED_TOOL_SETTING"]["source"].startswith(".env file, ignored")
