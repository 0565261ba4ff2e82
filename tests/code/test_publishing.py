"""Publishing the outputs of batch scoring together: a failed second output puts the first back."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import fsspec
import pytest

from churn.errors import ChurnError
from churn.publishing import published
from tests.s3_server import BUCKET, CREDENTIALS, s3_client

EARLIER_KEPT = "the earlier outputs were left as they were"


def write_and_publish(paths: list[str], meddle: Callable[[list[str]], None]) -> None:
    """Write new scores and rejects under the names published() gives, meddle, then publish."""
    with published(*paths) as names:
        for name, text in zip(names, ["new scores", "new rejects"], strict=True):
            Path(name).write_text(text)
        meddle(names)


def text_of(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def vanish_second_partial(paths: list[str]) -> Callable[[list[str]], None]:
    return lambda names: Path(names[1]).unlink()


def folder_at_second_destination(paths: list[str]) -> Callable[[list[str]], None]:
    def meddle(names: list[str]) -> None:  # after published() checked the destinations
        Path(paths[1]).unlink(missing_ok=True)
        Path(paths[1]).mkdir()
        (Path(paths[1]) / "other.csv").write_text("x")

    return meddle


@pytest.mark.parametrize("existed", [True, False], ids=["replaced", "new"])
@pytest.mark.parametrize("failure", [vanish_second_partial, folder_at_second_destination])
def test_a_failed_second_output_puts_the_first_back(tmp_path, existed, failure):
    scores, rejects = tmp_path / "s.csv", tmp_path / "s.rejects.csv"
    if existed:
        scores.write_text("old scores")
        rejects.write_text("old rejects")
    with pytest.raises(ChurnError) as caught:
        write_and_publish([str(scores), str(rejects)], failure([str(scores), str(rejects)]))
    assert text_of(scores) == ("old scores" if existed else None)
    if failure is vanish_second_partial:  # the rejects destination was never replaced
        assert text_of(rejects) == ("old rejects" if existed else None)
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []
    message = str(caught.value)
    assert message.startswith(f"{rejects}: cannot be ") and message.endswith(EARLIER_KEPT)


def test_both_outputs_are_published_and_nothing_is_left_beside_them(tmp_path):
    scores, rejects = tmp_path / "s.csv", tmp_path / "s.rejects.csv"
    scores.write_text("old scores")
    write_and_publish([str(scores), str(rejects)], lambda names: None)
    assert (scores.read_text(), rejects.read_text()) == ("new scores", "new rejects")
    assert sorted(os.listdir(tmp_path)) == ["s.csv", "s.rejects.csv"]


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A boto3 client for the moto server, with fsspec pointed at it in this process."""
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": s3_endpoint})
    for key, value in {**CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return s3_client(s3_endpoint)


def keys(client, bucket: str, prefix: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.mark.s3
@pytest.mark.parametrize("existed", [True, False], ids=["replaced", "new"])
def test_a_failed_second_upload_puts_the_first_object_back(s3, existed):
    """The rejects bucket is deleted after the destinations were checked: its upload fails."""
    prefix, other = f"publish-{existed}/", f"rejects-{'replaced' if existed else 'new'}"
    s3.create_bucket(Bucket=other)
    if existed:
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}s.csv", Body=b"old scores")
    paths = [f"s3://{BUCKET}/{prefix}s.csv", f"s3://{other}/s.rejects.csv"]

    def delete_rejects_bucket(names: list[str]) -> None:
        s3.delete_bucket(Bucket=other)

    with pytest.raises(ChurnError) as caught:
        write_and_publish(paths, delete_rejects_bucket)
    expected = {f"{prefix}s.csv": b"old scores"} if existed else {}
    assert keys(s3, BUCKET, prefix) == expected
    message = str(caught.value)
    assert message.startswith(f"{paths[1]}: cannot be written") and message.endswith(EARLIER_KEPT)


@pytest.mark.s3
def test_both_objects_are_uploaded_and_nothing_is_left_beside_them(s3):
    prefix = "publish-ok/"
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}s.csv", Body=b"old scores")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}s.rejects.csv", Body=b"old rejects")
    write_and_publish([f"s3://{BUCKET}/{prefix}s.csv", f"s3://{BUCKET}/{prefix}s.rejects.csv"],
                      lambda names: None)  # fmt: skip
    assert keys(s3, BUCKET, prefix) == {
        f"{prefix}s.csv": b"new scores",
        f"{prefix}s.rejects.csv": b"new rejects",
    }
