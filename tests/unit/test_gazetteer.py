"""The offline 행정동 gazetteer, the geocoders built on it, and the text search keys."""

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location

from market_app.geo.gazetteer import Gazetteer, Place
from market_app.geo.geocoding import GazetteerGeocoder, GeocoderConfigError, make_geocoder
from market_app.textsearch import normalise, normalise_loose


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load()


def labels(places):
    return [place.label for place in places]


def test_packaged_gazetteer_has_all_dongs_of_all_gus(gazetteer):
    """Given the packaged file, there are 426 행정동 in 25 구, sorted 구 names."""
    assert len(gazetteer.all_places()) == 426
    assert len(gazetteer.gus()) == 25
    assert gazetteer.gus() == sorted(gazetteer.gus())
    assert Gazetteer.load() is gazetteer  # cached


@pytest.mark.parametrize("query", ["망원동", "마포구 망원동", "마포망원동", "망원"])
def test_legal_dong_name_finds_both_administrative_dongs(gazetteer, query):
    """Given 망원동 (with or without 구), both 망원1동 and 망원2동 are found."""
    assert labels(gazetteer.search(query)) == ["마포구 망원1동", "마포구 망원2동"]


@pytest.mark.parametrize(
    "query", ["망원1동", "망원제1동", "서울 마포구 망원1동", "서울특별시 마포구 망원 1동", " 망원 1 동 "]
)
def test_numbered_spellings_find_the_one_dong(gazetteer, query):
    """Given any spelling of 망원1동, exactly that dong is found first."""
    assert labels(gazetteer.search(query))[0] == "마포구 망원1동"
    assert labels(gazetteer.search(query, limit=1)) == ["마포구 망원1동"]


def test_exact_matches_rank_before_numbered_ones(gazetteer):
    """Given 신사동, the two dongs called exactly that come before 은평구 신사1동/2동."""
    assert labels(gazetteer.search("신사동")) == [
        "관악구 신사동", "강남구 신사동", "은평구 신사1동", "은평구 신사2동",
    ]
    assert labels(gazetteer.search("강남구 신사동")) == ["강남구 신사동"]


def test_je_spelling_and_joined_dongs(gazetteer):
    """Given 상일동, 홍제1동 and 면목3동, the 제 spelling and 면목3·8동 are understood."""
    assert labels(gazetteer.search("상일동")) == ["강동구 상일제1동", "강동구 상일제2동"]
    assert labels(gazetteer.search("상일1동")) == ["강동구 상일제1동"]
    assert labels(gazetteer.search("홍제1동")) == ["서대문구 홍제1동"]
    assert labels(gazetteer.search("면목3동")) == ["중랑구 면목3·8동"]
    assert labels(gazetteer.search("성수1가동")) == ["성동구 성수1가1동", "성동구 성수1가2동"]


def test_unknown_or_empty_query_finds_nothing(gazetteer):
    """Given nonsense or blank text, the result is empty."""
    assert gazetteer.search("없는동") == []
    assert gazetteer.search("   ") == []
    assert gazetteer.search("서울") == []


def test_gu_alone_lists_its_dongs(gazetteer):
    """Given only 마포구, its dongs are listed, limited as asked."""
    assert [p.gu for p in gazetteer.search("마포구", limit=50)] == ["마포구"] * 16
    assert len(gazetteer.search("마포구", limit=3)) == 3


def test_code_and_gu_lookups(gazetteer):
    """Given a code and a 구, the matching places come back."""
    place = gazetteer.by_code("1111053000")
    assert (place.gu, place.dong) == ("종로구", "사직동")
    assert gazetteer.by_code("0000000000") is None
    assert {p.dong for p in gazetteer.dongs_in("마포구")} >= {"망원1동", "망원2동", "서교동"}
    assert gazetteer.dongs_in("부산진구") == []


def test_nearest_place_to_a_market(gazetteer):
    """Given 망원시장's coordinates, the nearest dong centre is in 마포구's 망원 dongs."""
    assert gazetteer.nearest(37.55715706, 126.9059961).dong in {"망원1동", "망원2동"}


def test_load_from_a_given_file(tmp_path):
    """Given a small CSV, load(path) reads it instead of the packaged one."""
    path = tmp_path / "dongs.csv"
    path.write_text("code,gu,dong,lat,lng\n1,가구,가1동,37.5,127.0\n", encoding="utf-8")
    gazetteer = Gazetteer.load(path)
    assert gazetteer.all_places() == [Place("1", "가구", "가1동", 37.5, 127.0)]
    assert labels(gazetteer.search("가동")) == ["가구 가1동"]


# --- geocoders --------------------------------------------------------------------------------

def test_gazetteer_geocoder_returns_a_geopy_location():
    """Given 망원1동, the offline geocoder returns its point, label and Place."""
    location = GazetteerGeocoder().geocode("마포구 망원1동")
    assert isinstance(location, Location)
    assert location.address == "마포구 망원1동"
    assert isinstance(location.raw, Place)
    assert (location.latitude, location.longitude) == (location.raw.lat, location.raw.lng)


def test_gazetteer_geocoder_lists_or_finds_nothing():
    """Given 망원동 with exactly_one=False, both dongs come back; nonsense gives None."""
    geocoder = GazetteerGeocoder()
    assert [loc.address for loc in geocoder.geocode("망원동", exactly_one=False)] == [
        "마포구 망원1동", "마포구 망원2동",
    ]
    assert geocoder.geocode("없는동") is None
    assert geocoder.geocode("없는동", exactly_one=False) is None


def test_make_geocoder_defaults_to_the_gazetteer():
    """Given no name, the offline geocoder is made with the app's user agent."""
    geocoder = make_geocoder()
    assert isinstance(geocoder, GazetteerGeocoder)
    assert geocoder.headers["User-Agent"] == "jangbogi"


def test_make_geocoder_builds_nominatim_for_a_self_hosted_server():
    """Given a URL with a port and path, Nominatim is configured for it (no request is made)."""
    geocoder = make_geocoder(
        "nominatim", "http://localhost:8080/nominatim/", user_agent="jangbogi-test"
    )
    assert isinstance(geocoder, Nominatim)
    assert geocoder.api == "http://localhost:8080/nominatim/search"
    assert geocoder.headers["User-Agent"] == "jangbogi-test"


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("nominatim", None, "needs a server URL"),
        ("nominatim", "localhost:8080", "http"),
        ("google", None, "unknown geocoder 'google'"),
    ],
)
def test_make_geocoder_rejects_bad_configuration(name, url, message):
    """Given a missing URL, a URL without scheme or an unknown name, a clear error is raised."""
    with pytest.raises(GeocoderConfigError, match=message):
        make_geocoder(name, url)


# --- text keys --------------------------------------------------------------------------------

def test_normalise_drops_whitespace_and_case_and_composes():
    """Given spaced, upper-case and decomposed (NFD) text, the keys are equal."""
    decomposed = "\u1100\u1161\u11ab\u110c\u1161\u11bc"  # 간장 as NFD jamo
    assert normalise(" 국산  두부 ") == "국산두부"
    assert normalise("LA 갈비") == "la갈비"
    assert normalise(decomposed) == "간장"
    assert normalise("1.5kg") == "1.5kg"


def test_normalise_loose_also_drops_punctuation():
    """Given a dong name with middle dots, the loose key drops them."""
    assert normalise_loose("종로1·2·3·4가동") == "종로1234가동"
