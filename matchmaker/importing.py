"""Importing participants from CSV or XLSX: read the file, map its columns,
check every row, and write all rows or none. Re-importing updates by email."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session, col, select

from matchmaker import accounts, audit
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event, Organisation, OrgKind, Participant
from matchmaker.paths import private_dir
from matchmaker.profiles import (
    OrganisationInput,
    RepresentativeInput,
    apply_organisation,
    apply_representative,
    new_representative,
    organisation_errors,
    representative_errors,
)
from matchmaker.text import fold
from matchmaker.vocabulary import LANGUAGES, SECTORS, TAGS

# An import takes at most this many rows (besides the header) and columns: far more
# than an event has participants or a participant list has fields.
MAX_ROWS = 5_000
MAX_COLUMNS = 50
# The largest upload (a 5,000-row CSV with long descriptions is a few MB) ...
MAX_UPLOAD_BYTES = 10_000_000
# ... and what an .xlsx file may unpack to (its XML is many times its zipped size).
MAX_UNPACKED_BYTES = 50_000_000
SHEET_MAX_ROW = 1_048_576  # Excel's last row

# Target fields, with the header names (folded) that map to them automatically.
FIELDS: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "to chuc", "don vi", "cong ty", "ten don vi"),
    "kind": ("kind", "type", "loai", "loai hinh", "loai don vi"),
    "sectors": ("sectors", "sector", "linh vuc", "nganh"),
    "province": ("province", "tinh", "tinh thanh", "tinh/thanh"),
    "stage": ("stage", "giai doan"),
    "website": ("website", "web", "trang web"),
    "description": ("description", "mo ta", "gioi thieu"),
    "offers": ("offers", "cung cap", "offer"),
    "seeks": ("seeks", "tim kiem", "seek", "nhu cau"),
    "full_name": ("name", "full name", "ho ten", "ho va ten", "nguoi dai dien", "dai dien"),
    "title": ("title", "chuc vu", "position"),
    "email": ("email", "e-mail", "thu dien tu"),
    "phone": ("phone", "dien thoai", "so dien thoai", "sdt"),
    "languages": ("languages", "language", "ngon ngu"),
}
# every row needs these (sectors and province as on the registration form)
REQUIRED = ("organisation", "kind", "sectors", "province", "full_name", "email")
FIELD_LABELS = {
    "organisation": N_("Organisation"),
    "kind": N_("Kind"),
    "sectors": N_("Sectors"),
    "province": N_("Province"),
    "stage": N_("Stage"),
    "website": N_("Website"),
    "description": N_("Description"),
    "offers": N_("Offers"),
    "seeks": N_("Seeks"),
    "full_name": N_("Name"),
    "title": N_("Title"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "languages": N_("Languages"),
}
_KIND_WORDS = {
    OrgKind.startup: ("startup", "khoi nghiep", "doanh nghiep khoi nghiep"),
    OrgKind.tech_firm: ("tech firm", "tech_firm", "technology firm", "doanh nghiep cong nghe"),
    OrgKind.investor: ("investor", "fund", "nha dau tu", "quy dau tu", "quy"),
    OrgKind.agency: ("agency", "government agency", "co quan", "co quan nha nuoc", "so", "ubnd"),
    OrgKind.ocop: ("ocop", "ocop producer", "san xuat ocop", "chu the ocop"),
    OrgKind.university: ("university", "incubator", "truong", "dai hoc", "vuon uom"),
    OrgKind.association: ("association", "hiep hoi", "hoi"),
}


@dataclass
class Upload:
    token: str
    filename: str
    headers: list[str]
    rows: list[list[str]]
    owner: int


@dataclass
class RowProblem:
    line: int  # as a spreadsheet shows it: the header is line 1
    target: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    problems: list[RowProblem]
    new_people: int = 0
    updated_people: int = 0
    new_organisations: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- reading files


def read_table(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (UTF-8, with or without BOM; comma or semicolon)
    or an XLSX file (first sheet). Blank rows are left out; a file with more than
    MAX_ROWS rows or anything beyond column MAX_COLUMNS is refused."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise DomainError(N_("Upload a .csv or .xlsx file."), field="file")
    if not rows:
        raise DomainError(N_("The file is empty."), field="file")
    header = rows[0]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    return header, body


def _bounded(rows: Iterable[Sequence[object]]) -> list[list[str]]:
    """The rows that hold something, as text. Refuses the file as soon as it shows
    more rows or columns than an import takes, so the rest of a huge file is never read."""
    table: list[list[str]] = []
    for row in rows:
        if row.count(None) == len(row):  # a row openpyxl fills in for a missing one
            continue
        cells = ["" if value is None else str(value).strip() for value in row]
        if not any(cells):
            continue
        if any(cells[MAX_COLUMNS:]):
            raise DomainError(
                N_("The file has more than %(n)s columns."), field="file", n=MAX_COLUMNS
            )
        if len(table) > MAX_ROWS:  # the header and MAX_ROWS rows are in already
            raise DomainError(N_("The file has more than %(n)s rows."), field="file", n=MAX_ROWS)
        while cells and not cells[-1]:
            cells.pop()
        table.append(cells)
    return table


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            N_("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."), field="file"
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        return _bounded(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:  # a cell longer than the csv module takes, a stray quote, ...
        raise DomainError(N_("The file is not a readable CSV table."), field="file") from exc


def _read_xlsx(content: bytes) -> list[list[str]]:
    _refuse_zip_bomb(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DomainError(N_("The file is not a readable .xlsx workbook."), field="file") from exc
    try:
        sheet = book.worksheets[0]
        # The sheet's <dimension> is only what the file claims: read-only openpyxl would
        # pad every row to its width (A1:XFD15000 is 16,384 cells a row) and stop at its
        # last row. Forget it and bound the reading ourselves: one column past the limit
        # (to see that there is more; cells further right are not read at all), and no
        # row past Excel's last, since openpyxl fills in every missing row up to whatever
        # row number a file gives.
        sheet.reset_dimensions()
        return _bounded(_within_sheet(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)))
    except DomainError:
        raise
    except Exception as exc:  # a broken sheet shows only while it is read
        raise DomainError(N_("The file is not a readable .xlsx workbook."), field="file") from exc
    finally:
        book.close()


def _within_sheet(rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    for line, row in enumerate(rows, start=1):
        if line > SHEET_MAX_ROW:
            raise DomainError(N_("The file is not a readable .xlsx workbook."), field="file")
        yield row


def _refuse_zip_bomb(content: bytes) -> None:
    """An .xlsx file is a zip archive: what its parts unpack to, not the upload's size,
    is what reading it costs. Each part's size is declared in the archive's directory,
    and Python's zipfile never unpacks a part beyond its declared size, so the sum is
    a real bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DomainError(N_("The file is not a readable .xlsx workbook."), field="file") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise DomainError(
            N_("The workbook unpacks to more than %(n)s MB, more than any participant list needs."),
            field="file",
            n=MAX_UNPACKED_BYTES // 1_000_000,
        )


# ---------------------------------------------------------------- uploads kept between steps


def _upload_path(var_dir: Path, token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise NotFound(N_("This import has expired. Upload the file again."))
    return var_dir / "imports" / f"{token}.json"


# An upload waits this long for its import; then it is gone (the organiser uploads the
# file again), so participants' data from an abandoned or refused import does not stay.
UPLOAD_MAX_AGE = timedelta(hours=24)


def _expired(path: Path, now: float) -> bool:
    return now - path.stat().st_mtime > UPLOAD_MAX_AGE.total_seconds()


def save_upload(var_dir: Path, filename: str, content: bytes, owner: Account) -> Upload:
    headers, rows = read_table(filename, content)
    upload = Upload(uuid.uuid4().hex, filename, headers, rows, owner.id or 0)
    path = _upload_path(var_dir, upload.token)
    private_dir(path.parent)
    now = time.time()
    for old in path.parent.glob("*.json"):
        if _expired(old, now):
            old.unlink(missing_ok=True)
    path.write_text(json.dumps(upload.__dict__, ensure_ascii=False), encoding="utf-8")
    return upload


def load_upload(var_dir: Path, token: str, owner: Account) -> Upload:
    path = _upload_path(var_dir, token)
    if not path.exists() or _expired(path, time.time()):
        raise NotFound(N_("This import has expired. Upload the file again."))
    upload = Upload(**json.loads(path.read_text(encoding="utf-8")))
    if upload.owner != owner.id:
        raise NotFound(N_("This import has expired. Upload the file again."))
    return upload


def discard_upload(var_dir: Path, token: str) -> None:
    _upload_path(var_dir, token).unlink(missing_ok=True)


# ---------------------------------------------------------------- mapping


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """For each target field, the column whose header names it (or None)."""
    folded = [fold(h) for h in headers]
    mapping: dict[str, int | None] = {}
    for target, names in FIELDS.items():
        mapping[target] = next((i for i, h in enumerate(folded) if h in names), None)
    return mapping


def mapping_from_form(data: dict[str, Any], headers: list[str]) -> dict[str, int | None]:
    mapping: dict[str, int | None] = {}
    for target in FIELDS:
        raw = str(data.get(f"map-{target}", "")).strip()
        mapping[target] = int(raw) if raw.isdigit() and int(raw) < len(headers) else None
    return mapping


def mapping_problems(mapping: dict[str, int | None]) -> dict[str, str]:
    return {t: N_("Choose the column that holds this.") for t in REQUIRED if mapping.get(t) is None}


def cell(row: list[str], mapping: dict[str, int | None], target: str) -> str:
    index = mapping.get(target)
    return row[index].strip() if index is not None and index < len(row) else ""


# The columns that hold lists of choices, and the vocabulary each chooses from.
CHOICE_COLUMNS = {"sectors": SECTORS, "offers": TAGS, "seeks": TAGS, "languages": LANGUAGES}


@cache
def _words(target: str) -> dict[str, str]:
    """A choice column's slugs by every way of writing them (slug, vi or en label),
    folded. Built once: folding the vocabulary for every cell made checking a
    5,000-row file take most of a minute."""
    by_word: dict[str, str] = {}
    for slug, (vi, en) in CHOICE_COLUMNS[target].items():
        for word in (slug, vi, en):
            by_word[fold(word)] = slug
    return by_word


def _choices(raw: str, target: str) -> tuple[list[str], list[str]]:
    """Slugs for a ';'/','-separated list of slugs or vi/en labels, and the unknown ones."""
    by_word = _words(target)
    found: list[str] = []
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;,|\n]", raw))):
        known = by_word.get(fold(part))
        if known is None:
            unknown.append(part)
        else:
            found.append(known)
    return found, unknown


def _kind(raw: str) -> str:
    folded = fold(raw).replace("_", " ")
    for kind, words in _KIND_WORDS.items():
        if folded == kind.value.replace("_", " ") or folded in words:
            return kind.value
    return raw


# ---------------------------------------------------------------- checking and writing


@dataclass
class _Row:
    line: int
    org: OrganisationInput
    person: RepresentativeInput
    existing: Participant | None


Progress = Callable[[int, int], None]  # (rows done, rows in all)


def _rows(
    session: Session,
    event: Event,
    upload: Upload,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> tuple[list[_Row], list[RowProblem]]:
    problems: list[RowProblem] = []
    rows: list[_Row] = []
    by_email = {
        p.email.lower(): p
        for p in session.exec(
            select(Participant)
            .join(Organisation, col(Participant.organisation_id) == col(Organisation.id))
            .where(Organisation.event_id == event.id)
        )
    }
    seen_emails: dict[str, int] = {}
    for offset, raw in enumerate(upload.rows):
        if progress is not None and offset % 100 == 0:
            progress(offset, len(upload.rows))
        line = offset + 2
        lists, line_problems = _choice_columns(raw, mapping, line)
        org, person = _inputs(raw, mapping, lists)
        existing = by_email.get(accounts.normalise_email(person.email))
        _input_problems(session, line, org, person, existing, lists, line_problems)
        if person.email in seen_emails:
            line_problems.append(
                RowProblem(
                    line,
                    "email",
                    N_("The same email is on line %(line)s."),
                    {"line": seen_emails[person.email]},
                )
            )
        seen_emails.setdefault(person.email, line)
        problems += line_problems
        rows.append(_Row(line, org, person, existing))
    return rows, problems


def _choice_columns(
    raw: list[str], mapping: dict[str, int | None], line: int
) -> tuple[dict[str, list[str]], list[RowProblem]]:
    """The row's known sectors, offers, seeks and languages, and a problem per column with
    unknown values."""
    lists: dict[str, list[str]] = {}
    problems: list[RowProblem] = []
    for target in CHOICE_COLUMNS:
        found, unknown = _choices(cell(raw, mapping, target), target)
        lists[target] = found
        if unknown:
            problems.append(
                RowProblem(
                    line, target, N_("Unknown value: %(value)s"), {"value": ", ".join(unknown)}
                )
            )
    return lists, problems


def _inputs(
    raw: list[str], mapping: dict[str, int | None], lists: dict[str, list[str]]
) -> tuple[OrganisationInput, RepresentativeInput]:
    """The row as the profile forms' inputs: its organisation and its representative."""
    org = OrganisationInput(
        name=cell(raw, mapping, "organisation"),
        kind=_kind(cell(raw, mapping, "kind")),
        sectors=lists["sectors"],
        province=cell(raw, mapping, "province"),
        stage=cell(raw, mapping, "stage"),
        website=cell(raw, mapping, "website"),
        description=cell(raw, mapping, "description"),
        offers=lists["offers"],
        seeks=lists["seeks"],
    )
    person = RepresentativeInput(
        full_name=cell(raw, mapping, "full_name"),
        title=cell(raw, mapping, "title"),
        email=cell(raw, mapping, "email"),
        phone=cell(raw, mapping, "phone"),
        languages=lists["languages"] or ["vi"],
    )
    return org, person


def _input_problems(
    session: Session,
    line: int,
    org: OrganisationInput,
    person: RepresentativeInput,
    existing: Participant | None,
    lists: dict[str, list[str]],
    problems: list[RowProblem],
) -> None:
    """Add to ``problems`` (the line's so far) what the profile checks find wrong."""
    org_problems = organisation_errors(org)
    # An import may leave the longer texts for the participants to write.
    if not org.description:
        org_problems.pop("description", None)
    person_problems = representative_errors(
        session, person, except_participant=existing.id if existing else None
    )
    for name, error in {**org_problems, **person_problems}.items():
        target = "organisation" if name == "name" else name
        if target in lists and any(p.line == line and p.target == target for p in problems):
            continue
        problems.append(RowProblem(line, target, error.message, dict(error.params)))


def check(
    session: Session,
    event: Event,
    upload: Upload,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> CheckResult:
    """Every problem of every row; and, when there is none, what an import would do."""
    rows, problems = _rows(session, event, upload, mapping, progress)
    result = CheckResult(problems=problems)
    if problems:
        return result
    orgs = {
        o.name_folded
        for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }
    for row in rows:
        if row.existing is not None:
            result.updated_people += 1
        else:
            result.new_people += 1
        folded = fold(row.org.name)
        if folded not in orgs and row.existing is None:
            result.new_organisations += 1
            orgs.add(folded)
    return result


def run_import(
    session: Session,
    event: Event,
    upload: Upload,
    mapping: dict[str, int | None],
    by: Account,
    progress: Progress | None = None,
) -> CheckResult:
    """Write every row, or nothing when any row has a problem. Rows whose email
    is already known update that representative and their organisation."""
    result = check(session, event, upload, mapping, progress)
    if not result.ok:
        return result
    rows, _ = _rows(session, event, upload, mapping)
    orgs = {
        o.name_folded: o
        for o in session.exec(select(Organisation).where(Organisation.event_id == event.id))
    }
    for row in rows:
        if row.existing is not None:
            org = session.get(Organisation, row.existing.organisation_id)
            assert org is not None
            description = org.description
            apply_organisation(org, row.org)
            org.description = row.org.description or description
            apply_representative(row.existing, row.person)
            session.add_all([org, row.existing])
            account = session.exec(
                select(Account).where(Account.participant_id == row.existing.id)
            ).first()
            if account is not None:
                account.email, account.display_name = row.person.email, row.person.full_name
                session.add(account)
            continue
        org = orgs.get(fold(row.org.name))
        if org is None:
            org = Organisation(event_id=event.id or 0, name="", kind=OrgKind(row.org.kind))
            apply_organisation(org, row.org)
            session.add(org)
            session.flush()
            orgs[org.name_folded] = org
        new_representative(session, org, row.person)
    session.flush()
    audit.record(
        session,
        "participants.import",
        event=event,
        account=by,
        file=upload.filename,
        new=result.new_people,
        updated=result.updated_people,
        organisations=result.new_organisations,
    )
    return result
