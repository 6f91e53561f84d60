from __future__ import annotations

import csv
import io
import re

from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, col, select

from matchmaker.models import Account, AuditLog, Notification, Organisation, OrgKind, Participant
from tests.conftest import csrf_token, post_form, sign_in_as
from tests.factories import make_event, make_org, make_organiser, make_participant
from tests.jobs import export, import_step

HEADER = ["Tên đơn vị", "Loại", "Lĩnh vực", "Tỉnh", "Họ tên", "Chức vụ", "Email", "Điện thoại"]
GOOD = [
    ["Công ty TNHH Nông Sản Số", "startup", "agritech", "Hậu Giang", "Nguyễn Văn Tâm", "CEO",
     "tam@nongsanso.vn", "0909 111 222"],
    ["Quỹ Đầu tư Mekong", "Nhà đầu tư", "fintech; agritech", "Cần Thơ", "Lê Thị Mai",
     "Giám đốc đầu tư", "mai@mekongfund.vn", "0908 333 444"],
    ["Công ty TNHH Nông Sản Số", "startup", "agritech", "Hậu Giang", "Trần Thu Hà", "COO",
     "ha@nongsanso.vn", ""],
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _upload(client: TestClient, name: str, content: bytes) -> str:
    response = client.post(
        "/organiser/import",
        files={"file": (name, content, "text/csv")},
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _mapping(client: TestClient, token: str) -> dict[str, str]:
    page = client.get(f"/organiser/import/{token}").text
    mapping = {}
    for target, body in re.findall(r'name="map-(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'value="(\d+)" selected', body)
        mapping[f"map-{target}"] = chosen.group(1) if chosen else ""
    return mapping


def _arrange(db: Session):  # type: ignore[no-untyped-def]
    event = make_event(db)
    organiser = make_organiser(db)
    db.commit()
    return event, organiser


def _people(db: Session) -> list[Participant]:
    db.expire_all()
    return list(db.exec(select(Participant).order_by(col(Participant.email))))


def test_import_with_a_bad_row_reports_it_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    bad = [
        *GOOD,
        ["Hợp tác xã Khóm", "unknown-kind", "agritech", "Hậu Giang", "X", "", "not-an-email", ""],
    ]
    token = _upload(client, "people.csv", _csv(bad))
    mapping = _mapping(client, token)
    assert mapping["map-organisation"] == "0" and mapping["map-email"] == "6"
    checked = import_step(client, token, "check", mapping)
    assert checked.status_code == 200
    assert "<td>5</td>" in checked.text  # the header is line 1, so the 4th row is line 5
    assert checked.text.count("<td>5</td>") >= 3  # kind, name too short, email
    forced = import_step(client, token, "run", mapping)
    assert forced.status_code == 200
    assert forced.text.count("<td>5</td>") >= 3
    assert _people(db) == []


def test_import_writes_all_rows_and_reimport_updates_by_email(
    client: TestClient, db: Session
) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    token = _upload(client, "people.csv", _csv(GOOD))
    mapping = _mapping(client, token)
    checked = import_step(client, token, "check", mapping)
    assert checked.status_code == 200
    assert f'action="/organiser/import/{token}/run"' in checked.text
    done = import_step(client, token, "run", mapping)
    assert done.status_code == 303
    assert done.headers["location"].startswith("/organiser?imported=3")
    people = _people(db)
    assert [p.email for p in people] == ["ha@nongsanso.vn", "mai@mekongfund.vn", "tam@nongsanso.vn"]
    orgs = db.exec(select(Organisation).order_by(col(Organisation.name))).all()
    assert [(o.name, o.kind) for o in orgs] == [
        ("Công ty TNHH Nông Sản Số", OrgKind.startup),
        ("Quỹ Đầu tư Mekong", OrgKind.investor),
    ]
    assert orgs[1].sectors == ["fintech", "agritech"]
    assert len(db.exec(select(Account).where(col(Account.participant_id).is_not(None))).all()) == 3

    changed = [row.copy() for row in GOOD]
    changed[0][5] = "Tổng giám đốc"
    token = _upload(client, "people.csv", _csv(changed))
    import_step(client, token, "run", _mapping(client, token))
    people = _people(db)
    assert len(people) == 3
    assert {p.email: p.title for p in people}["tam@nongsanso.vn"] == "Tổng giám đốc"
    assert len(db.exec(select(Organisation)).all()) == 2
    assert len(db.exec(select(AuditLog).where(AuditLog.action == "participants.import")).all()) == 2


def test_import_reads_xlsx(client: TestClient, db: Session) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(GOOD[1])
    buffer = io.BytesIO()
    book.save(buffer)
    token = _upload(client, "people.xlsx", buffer.getvalue())
    import_step(client, token, "run", _mapping(client, token))
    assert [p.full_name for p in _people(db)] == ["Lê Thị Mai"]


def test_import_refuses_files_that_are_not_utf8_or_not_tables(
    client: TestClient, db: Session
) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    for name, content in (
        ("people.csv", "Tên đơn vị\nCông ty".encode("utf-16")),
        ("people.pdf", b"%PDF-1.7"),
        ("people.xlsx", b"not a zip"),
    ):
        response = client.post(
            "/organiser/import",
            files={"file": (name, content, "application/octet-stream")},
            data={"_csrf_token": csrf_token(client)},
        )
        assert response.status_code == 400
        assert 'id="file-error"' in response.text


def test_import_of_someone_elses_upload_is_not_found(client: TestClient, db: Session) -> None:
    _, organiser = _arrange(db)
    sign_in_as(client, organiser, db)
    assert client.get("/organiser/import/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/organiser/import/..%2F..%2Fsecret_key").status_code == 404


def test_exports_reopen_and_match_the_database(client: TestClient, db: Session) -> None:
    event, organiser = _arrange(db)
    org = make_org(db, event, "Sở Khoa học và Công nghệ Hậu Giang", OrgKind.agency)
    make_participant(db, org, "Phạm Quốc Việt", "viet@skhcn.vn")
    db.commit()
    sign_in_as(client, organiser, db)
    rows = list(
        csv.reader(io.StringIO(export(client, "participants", "csv").content.decode("utf-8-sig")))
    )
    assert rows[0][:2] == ["organisation", "kind"]
    assert rows[1][0] == "Sở Khoa học và Công nghệ Hậu Giang"
    assert rows[1][11] == "viet@skhcn.vn"
    book = load_workbook(io.BytesIO(export(client, "participants", "xlsx").content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]][9] == "Phạm Quốc Việt"
    for kind in ("requests", "meetings", "schedule"):
        for fmt in ("csv", "xlsx"):
            assert export(client, kind, fmt).status_code == 200
    refused = post_form(
        client, "/organiser/jobs", {"kind": "export", "name": "passwords", "format": "csv"}
    )
    assert refused.status_code == 404


def test_organiser_hands_out_and_sends_a_sign_in_link(client: TestClient, db: Session) -> None:
    event, organiser = _arrange(db)
    person, _ = make_participant(db, make_org(db, event, "Công ty D"), "Đỗ Văn Dũng", "dung@d.vn")
    db.commit()
    sign_in_as(client, organiser, db)
    shown = post_form(client, f"/organiser/participants/{person.id}/link", {"send": "1"})
    assert shown.status_code in (200, 201)
    link = re.search(r'value="(http[^"]+/signin/link/[^"]+)"', shown.text)
    assert link is not None
    note = db.exec(select(Notification).where(Notification.to_email == "dung@d.vn")).one()
    # The outbox keeps no link: the e-mail gets one of its own when it is sent.
    assert (note.link, note.sign_in_hours) == ("", 72)
    client.cookies.clear()
    token = link.group(1).rsplit("/", 1)[1]
    assert post_form(client, f"/signin/link/{token}", {}, follow_redirects=False).status_code == 303
