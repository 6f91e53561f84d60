"""the registrant's privacy consent; provinces as the 34 units since the 2025 merger

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-20

``participant.privacy_consent_at`` is when the person ticked the privacy notice at
self-registration. It is on the participant, not the organisation or the account:
consent is given by the person whose name, e-mail and phone are stored, and it covers
only them (colleagues added later, or people the organisers import, never ticked it and
keep NULL; an account is only the way in, which organisers may deactivate).

``organisation.province`` values written before the merger are moved to the unit that
absorbed them ("Hậu Giang" -> "Cần Thơ"), and the usual spellings of the big cities to
their stored names, so the directory's province filter lists each unit once. The names
are copied here on purpose (a migration must not change with the application's code).
Other free text stays as written (the profile form asks for a unit at the next save).
The downgrade drops the column and leaves the provinces merged: nothing says which old
province a row came from.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED: dict[str, str] = {
    "Hà Giang": "Tuyên Quang",
    "Yên Bái": "Lào Cai",
    "Bắc Kạn": "Thái Nguyên",
    "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ",
    "Bắc Giang": "Bắc Ninh",
    "Thái Bình": "Hưng Yên",
    "Hải Dương": "Hải Phòng",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Quảng Bình": "Quảng Trị",
    "Quảng Nam": "Đà Nẵng",
    "Kon Tum": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Phú Yên": "Đắk Lắk",
    "Ninh Thuận": "Khánh Hòa",
    "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng",
    "Bình Phước": "Đồng Nai",
    "Bình Dương": "TP. Hồ Chí Minh",
    "Bà Rịa – Vũng Tàu": "TP. Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu": "TP. Hồ Chí Minh",
    "Bà Rịa–Vũng Tàu": "TP. Hồ Chí Minh",
    "Long An": "Tây Ninh",
    "Tiền Giang": "Đồng Tháp",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Kiên Giang": "An Giang",
    "Hậu Giang": "Cần Thơ",
    "Sóc Trăng": "Cần Thơ",
    "Bạc Liêu": "Cà Mau",
    "Thừa Thiên Huế": "Huế",
    "Thừa Thiên - Huế": "Huế",
    "HCM": "TP. Hồ Chí Minh",
    "TP HCM": "TP. Hồ Chí Minh",
    "TP.HCM": "TP. Hồ Chí Minh",
    "TP. HCM": "TP. Hồ Chí Minh",
    "TPHCM": "TP. Hồ Chí Minh",
    "Hồ Chí Minh": "TP. Hồ Chí Minh",
    "TP Hồ Chí Minh": "TP. Hồ Chí Minh",
    "Thành phố Hồ Chí Minh": "TP. Hồ Chí Minh",
    "Sài Gòn": "TP. Hồ Chí Minh",
    "TP Cần Thơ": "Cần Thơ",
    "TP. Cần Thơ": "Cần Thơ",
    "Thành phố Cần Thơ": "Cần Thơ",
    "TP Hà Nội": "Hà Nội",
    "TP. Hà Nội": "Hà Nội",
    "Thành phố Hà Nội": "Hà Nội",
}


def upgrade() -> None:
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(
            sa.Column("privacy_consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    organisation = sa.table("organisation", sa.column("province", sa.String))
    for old, new in MERGED.items():
        op.execute(organisation.update().where(organisation.c.province == old).values(province=new))


def downgrade() -> None:
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_column("privacy_consent_at")
