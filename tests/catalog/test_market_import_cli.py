"""`flask markets import FILE`: the official 전국전통시장표준데이터 CSV (CP949 or UTF-8) and the
seoul_markets.csv layout; reruns update, bad rows are reported by line and skipped."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from market_app.catalog.models import Market
from market_app.extensions import db

DATA = Path(__file__).parents[1] / "data"
OFFICIAL_CP949 = DATA / "markets_official_cp949.csv"
OFFICIAL_UTF8 = DATA / "markets_official_utf8.csv"
PACKAGED_ONLINE = Path(__file__).parents[2] / "market_app" / "catalog" / "data" / "online_markets.csv"

# Two rows in the layout of seoul_markets.csv (values from 전국전통시장표준데이터, 2024-11-04, and
# 서울시 전통시장 현황 OA-1176), the second one broken on purpose.
SEOUL_LAYOUT = (
    "name,gu,dong,address,lat,lng,stalls,source,jibun_address,addr_dong,products,alt_names,online_evidence\n"
    "망원시장,마포구,망원1동,서울특별시 마포구 포은로8길 14,37.55615,126.90625,80,"
    "KR_STD_TRAD_MARKET_2024-11-04,서울특별시 마포구 망원동 482-3,망원동,농산물;축산물;수산물,,online\n"
    "강남역 지하도상가,강남구,역삼1동,서울특별시 강남구 역삼동821-1,,127.028026,,SEOUL_OA-1176,"
    "서울특별시 강남구 역삼동821-1,역삼동,,,\n"
)


def _markets() -> dict[str, Market]:
    db.session.expire_all()
    return {m.name: m for m in db.session.scalars(select(Market))}


def _import(runner, path, *options):
    return runner.invoke(args=["markets", "import", str(path), *options])


def test_official_cp949_file_imports_good_rows_and_reports_bad_lines(runner, frozen_now):
    """Given the CP949 official fixture, the four Seoul markets are created (offline) and every bad row
    is reported on stderr with its file line, the rest still imported."""
    result = _import(runner, OFFICIAL_CP949)

    assert result.exit_code == 0, result.output
    markets = _markets()
    assert sorted(markets) == ["망원시장", "신원시장", "암사종합시장", "통인시장"]
    mangwon = markets["망원시장"]
    assert (mangwon.gu, mangwon.lat, mangwon.lng, mangwon.stall_count) == ("마포구", 37.55715706, 126.9059961, 80)
    assert mangwon.address == "서울특별시 마포구 망원로8길 3 70 망원동"
    assert not mangwon.is_online
    assert [line.split(": skipped:")[0].rsplit(":", 1)[1] for line in result.stderr.splitlines()] == \
        ["5", "6", "7", "8", "13"]
    assert "markets_official_cp949.csv:6: skipped: latitude (위도) '37.5x' is not a number" in result.stderr
    assert result.stdout.strip() == ("imported 4 markets (4 new, 0 updated), 5 bad rows skipped, "
                                     "1 outside Seoul skipped")


def test_rerun_updates_instead_of_duplicating(runner, frozen_now):
    """Given the CP949 file imported once, importing it and its UTF-8 sibling again adds no market
    and updates the ones already there."""
    _import(runner, OFFICIAL_CP949)
    db.session.execute(db.update(Market).where(Market.name == "망원시장").values(stall_count=1, lat=37.0))
    db.session.commit()

    again = _import(runner, OFFICIAL_CP949)
    utf8 = _import(runner, OFFICIAL_UTF8)

    assert "(0 new, 4 updated)" in again.stdout
    assert "imported 1 markets (0 new, 1 updated)" in utf8.stdout  # 광명 (경기도) is skipped
    assert db.session.scalar(select(func.count(Market.id))) == 4
    mangwon = _markets()["망원시장"]
    assert (mangwon.stall_count, mangwon.lat) == (80, 37.55715706)


def test_seoul_markets_layout_is_understood(runner, tmp_path, frozen_now):
    """Given a file in the seoul_markets.csv layout, its good row is imported with 동 and source,
    and the row without latitude is reported as line 3."""
    path = tmp_path / "seoul_markets.csv"
    path.write_text(SEOUL_LAYOUT, encoding="utf-8")

    result = _import(runner, path)

    assert result.exit_code == 0, result.output
    assert f"{path}:3: skipped: latitude (lat) is empty" in result.stderr
    mangwon = _markets()["망원시장"]
    assert (mangwon.gu, mangwon.dong, mangwon.source) == ("마포구", "망원1동", "KR_STD_TRAD_MARKET_2024-11-04")
    assert list(_markets()) == ["망원시장"]


def test_online_flag_opens_the_imported_markets(runner, frozen_now):
    """Given the packaged list of online markets and --online, all 65 markets take orders."""
    result = _import(runner, PACKAGED_ONLINE, "--online")

    assert result.exit_code == 0, result.output
    assert "imported 65 markets (65 new, 0 updated), 0 bad rows skipped" in result.stdout
    assert db.session.scalar(select(func.count(Market.id)).where(Market.is_online)) == 65


def test_unreadable_file_is_a_clear_error(runner, tmp_path, frozen_now):
    """Given a CSV with unknown columns, the command fails with the reason and imports nothing."""
    path = tmp_path / "other.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")

    result = _import(runner, path)

    assert result.exit_code != 0
    assert "unrecognised market file header" in result.output
    assert db.session.scalar(select(func.count(Market.id))) == 0
