"""Uploaded import files wait a day for their import, then are gone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from matchmaker.errors import NotFound
from matchmaker.importing import UPLOAD_MAX_AGE, load_upload, save_upload
from matchmaker.models import Account, Role

pytestmark = pytest.mark.unit

CSV = "name,email\nHTX Mía Vị Thanh,htx@example.vn\n".encode()


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_uploads_an_upload_older_than_a_day_is_expired_and_removed(tmp_path: Path) -> None:
    owner = Account(id=7, email="organiser@example.vn", role=Role.organiser)
    old = save_upload(tmp_path, "old.csv", CSV, owner)
    old_path = tmp_path / "imports" / f"{old.token}.json"
    _age(old_path, UPLOAD_MAX_AGE.total_seconds() + 60)

    with pytest.raises(NotFound):
        load_upload(tmp_path, old.token, owner)
    fresh = save_upload(tmp_path, "new.csv", CSV, owner)

    assert not old_path.exists()
    assert load_upload(tmp_path, fresh.token, owner).rows == fresh.rows
