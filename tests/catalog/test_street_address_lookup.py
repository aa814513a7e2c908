"""Street addresses on the home page: with a Nominatim server configured, an address the gazetteer
does not know is placed in its nearest 행정동; a geocoder that is down gives a Korean hint, not a 500."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.catalog.html_text import visible_text

# 서울 마포구 포은로 12 (near 망원시장), as a Nominatim server would answer it.
POEUNRO_12 = {"lat": "37.5553", "lon": "126.9047", "display_name": "포은로 12, 망원동, 마포구, 서울특별시",
              "place_id": 1, "osm_type": "node", "osm_id": 1, "boundingbox": ["37.5", "37.6", "126.9", "127.0"]}


class _NominatimStandIn(BaseHTTPRequestHandler):
    queries: list[str] = []

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        self.queries.append(query)
        body = json.dumps([POEUNRO_12] if "포은로" in query else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim_url():
    _NominatimStandIn.queries = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NominatimStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_street_address_is_placed_in_its_dong(app, client, world, nominatim_url):
    """Given GEOCODER=nominatim, "포은로 12" is geocoded (as a Seoul address) into 망원1동's markets."""
    app.config.update(GEOCODER="nominatim", GEOCODER_URL=nominatim_url)

    text = visible_text(client.get("/", query_string={"q": "포은로 12"}))

    assert "근처 시장" in text and "망원시장 배달 가능" in text
    assert _NominatimStandIn.queries == ["서울특별시 포은로 12"]


def test_dong_names_never_reach_the_geocoder(app, client, world, nominatim_url):
    """Given a 동 name the gazetteer knows, no geocoder request is made."""
    app.config.update(GEOCODER="nominatim", GEOCODER_URL=nominatim_url)
    client.get("/", query_string={"q": "망원1동"})
    assert _NominatimStandIn.queries == []


def test_geocoder_down_gives_the_korean_hint(app, client, world):
    """Given a Nominatim URL where nothing listens, an address gets the 'not found' hint, not an error."""
    app.config.update(GEOCODER="nominatim", GEOCODER_URL="http://127.0.0.1:9")

    response = client.get("/", query_string={"q": "포은로 12"})

    assert response.status_code == 200
    assert "'포은로 12'에 해당하는 동을 찾지 못했습니다." in visible_text(response)
