"""Deterministic, realistic demo data for a market: stalls, products, couriers, residents.

Determinism: every random choice comes from the `random.Random` passed in, and only its
integer/choice methods are used on ordered lists (no `hash()`, no set iteration, no
clock), so the same seed and the same sequence of calls give the same data on every
run and machine (for a given CPython version; these methods have not changed across
3.11–3.13). Build one `random.Random(seed)` for the whole demo and call the generators
in a fixed order.

Phone numbers come from one `PhoneAllocator` shared by the whole demo, so they are unique
across markets: sequential numbers from 010-5555-0000 (E.164 "+821055550000"). They are
well-formed Korean mobile numbers and may belong to real people: demo data must only ever
be sent through the log SMS gateway.

Prices are integer KRW, multiples of 100 (500 from 10,000원 up), spread ±10% around a
typical 2024 Seoul market price.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from market_app.geo.gazetteer import Gazetteer

MIN_STALLS, MAX_STALLS = 8, 30
MIN_PRODUCTS, MAX_PRODUCTS = 10, 40
VEHICLE_KINDS = ("walk", "bicycle", "motorbike", "car")


@dataclass(frozen=True)
class ProductSpec:
    name: str
    unit: str
    price: int
    stock: int | None  # None: not counted (made to order or always in stock)


@dataclass(frozen=True)
class StallSpec:
    name: str
    category: str
    owner_name: str
    phone: str
    products: list[ProductSpec] = field(hash=False)


@dataclass(frozen=True)
class CourierSpec:
    name: str
    phone: str
    vehicle_kind: str
    capacity_bags: int


@dataclass(frozen=True)
class ResidentSpec:
    name: str
    phone: str
    lat: float | None = None
    lng: float | None = None
    address: str | None = None


class PhoneAllocator:
    """Distinct demo mobile numbers from a counter: +821055550000, +821055550001, ..."""

    FIRST = 55_550_000
    LAST = 99_999_999

    def __init__(self, start: int = 0):
        self._next = start

    def next(self) -> str:
        subscriber = self.FIRST + self._next
        if subscriber > self.LAST:
            raise RuntimeError("demo phone numbers exhausted")
        self._next += 1
        return f"+8210{subscriber:08d}"


# --- catalogues: (product name, unit, typical price in KRW) --------------------------------
# The first STAPLES items of each category are what every such stall sells.
STAPLES = 3

CATALOGUES: dict[str, list[tuple[str, str, int]]] = {
    "정육점": [
        ("한우 국거리", "300g", 15000), ("한우 불고기", "300g", 16000),
        ("국산 돼지 삼겹살", "600g", 16000), ("한우 등심(1++)", "300g", 36000),
        ("한우 채끝", "300g", 39000), ("한우 안심", "300g", 42000), ("한우 양지", "300g", 21000),
        ("한우 사태", "500g", 22000), ("한우 다짐육", "300g", 12000), ("한우 사골", "1kg", 9000),
        ("소 잡뼈", "1kg", 6000), ("국산 돼지 목살", "600g", 15000),
        ("돼지 앞다리살", "600g", 9000), ("돼지 뒷다리살", "1kg", 8000),
        ("돼지 갈비", "1kg", 14000), ("돼지 등갈비", "1kg", 17000), ("돼지 항정살", "300g", 12000),
        ("돼지 다짐육", "500g", 6000), ("수육용 삼겹살", "600g", 15500),
        ("제육볶음용 앞다리", "1kg", 13000), ("호주산 소갈비살", "500g", 19000),
        ("미국산 LA갈비", "1kg", 32000), ("호주산 척아이롤", "500g", 16000),
        ("양념 돼지불고기", "1kg", 13000), ("양념 소불고기", "600g", 16000),
        ("수제 돈가스", "5장", 10000), ("수제 떡갈비", "5개", 12000), ("돼지 껍데기", "1kg", 5000),
        ("한우 우둔 육회용", "200g", 14000), ("돼지 사골", "2kg", 5000),
    ],
    "청과": [
        ("제철 사과(부사)", "1.5kg", 15000), ("신고 배", "3개", 15000), ("바나나", "1송이", 4000),
        ("감귤", "2kg", 10000), ("한라봉", "1kg", 13000), ("천혜향", "1kg", 14000),
        ("설향 딸기", "500g", 12000), ("샤인머스캣", "1송이", 13000), ("캠벨포도", "1kg", 10000),
        ("복숭아", "4개", 12000), ("성주 참외", "1.5kg", 12000), ("수박", "1통(7kg)", 25000),
        ("방울토마토", "1kg", 8000), ("완숙토마토", "1kg", 7000), ("단감", "1kg", 8000),
        ("홍시", "6개", 10000), ("국산 키위", "1kg", 9000), ("자두", "1kg", 10000),
        ("블루베리", "250g", 9000), ("오렌지", "5개", 8000), ("레몬", "3개", 4000),
        ("자몽", "2개", 5000), ("아보카도", "2개", 5000), ("파인애플", "1개", 6000),
        ("상주 곶감", "10개", 15000), ("건대추", "500g", 12000), ("햇밤", "1kg", 10000),
        ("체리", "500g", 15000), ("사과즙", "30팩", 25000), ("배즙", "30팩", 25000),
    ],
    "수산": [
        ("고등어", "2마리", 8000), ("생물 오징어", "2마리", 12000), ("바지락", "1kg", 7000),
        ("안동 자반고등어", "2손", 10000), ("제주 갈치", "1마리", 15000), ("삼치", "1마리", 8000),
        ("참조기", "5마리", 10000), ("영광 굴비", "10마리", 20000), ("생물 낙지", "1마리", 10000),
        ("쭈꾸미", "500g", 15000), ("흰다리 새우", "500g", 13000), ("홍합", "1kg", 4000),
        ("벌교 꼬막", "1kg", 12000), ("통영 굴", "300g", 8000), ("동태", "1마리", 6000),
        ("생태", "1마리", 12000), ("코다리", "4마리", 10000), ("참가자미", "2마리", 10000),
        ("완도 전복", "5미", 20000), ("광어회", "1팩", 25000), ("연어회", "300g", 18000),
        ("멍게", "500g", 10000), ("꽃게", "1kg", 25000), ("새우젓(추젓)", "500g", 9000),
        ("명란젓", "300g", 12000), ("오징어젓", "300g", 7000), ("생물 아귀", "1kg", 13000),
        ("손질 대구", "1kg", 14000), ("민물장어", "1마리", 25000), ("문어(자숙)", "500g", 22000),
    ],
    "반찬": [
        ("멸치볶음", "200g", 5000), ("진미채볶음", "200g", 6000), ("두부조림", "1팩", 4000),
        ("콩자반", "200g", 4000), ("우엉조림", "200g", 4000), ("연근조림", "200g", 4500),
        ("메추리알 장조림", "300g", 6000), ("소고기 장조림", "300g", 9000),
        ("시금치나물", "200g", 3000), ("콩나물무침", "200g", 3000), ("고사리나물", "200g", 4000),
        ("도라지무침", "200g", 5000), ("무생채", "300g", 3000), ("오이무침", "300g", 4000),
        ("어묵볶음", "200g", 3500), ("감자조림", "300g", 3500), ("잡채", "400g", 7000),
        ("계란말이", "1줄", 5000), ("동그랑땡", "10개", 6000), ("깻잎장아찌", "200g", 4000),
        ("마늘쫑무침", "200g", 4000), ("오징어채무침", "200g", 6000),
        ("꽈리고추 멸치볶음", "200g", 5500), ("제육볶음", "500g", 9000),
        ("미역줄기볶음", "200g", 3500), ("가지나물", "200g", 3500),
        ("반찬 3종 세트", "1세트", 10000), ("된장찌개 밀키트", "1팩", 7000),
        ("김치찌개 밀키트", "1팩", 8000), ("순두부찌개 밀키트", "1팩", 7500),
    ],
    "떡집": [
        ("가래떡", "1kg", 6000), ("떡국떡", "1kg", 6000), ("꿀떡", "1팩", 3000),
        ("쌀 떡볶이떡", "1kg", 5000), ("절편", "500g", 5000), ("콩고물 인절미", "1팩", 4000),
        ("송편", "500g", 7000), ("백설기", "1개", 2500), ("팥시루떡", "1팩", 4000),
        ("찹쌀떡", "6개", 6000), ("바람떡", "1팩", 3000), ("약식", "1팩", 5000),
        ("경단", "1팩", 4000), ("무지개떡", "1개", 2500), ("호박떡", "1팩", 4000),
        ("콩떡", "1팩", 4000), ("쑥떡", "1팩", 4000), ("증편(술떡)", "1팩", 4000),
        ("모둠떡", "1팩", 6000), ("구름떡", "1팩", 4500), ("두텁떡", "4개", 8000),
        ("흑임자 인절미", "1팩", 5000), ("오메기떡", "6개", 9000), ("미니 떡케이크", "1개", 25000),
    ],
    "방앗간": [
        ("참기름", "350ml", 18000), ("들기름", "350ml", 16000),
        ("국산 고춧가루(태양초)", "500g", 20000), ("생들기름", "180ml", 11000),
        ("볶은 참깨", "300g", 9000), ("들깨가루", "500g", 13000),
        ("수입 고춧가루", "1kg", 14000), ("미숫가루", "1kg", 14000), ("콩가루", "500g", 7000),
        ("습식 쌀가루", "1kg", 5000), ("찹쌀가루", "1kg", 7000), ("깨소금", "200g", 6000),
        ("청국장가루", "300g", 10000), ("메밀가루", "1kg", 9000), ("도토리가루", "500g", 12000),
        ("볶은 검은깨", "300g", 9000), ("재래식 간장", "900ml", 12000),
        ("재래식 된장", "1kg", 15000), ("재래식 고추장", "1kg", 16000), ("수제 생강청", "500g", 13000),
        ("누룽지", "1kg", 12000), ("식혜", "1.5L", 6000), ("쌀조청", "1kg", 12000),
    ],
    "건어물": [
        ("국물용 멸치", "500g", 12000), ("볶음용 잔멸치", "300g", 12000), ("재래김", "20장", 6000),
        ("중멸치", "500g", 11000), ("마른 오징어", "5마리", 30000), ("진미채", "500g", 16000),
        ("황태채", "300g", 12000), ("통황태", "2마리", 12000), ("쥐포", "10장", 10000),
        ("곱창돌김", "100장", 12000), ("조미 파래김", "10봉", 8000), ("기장 미역", "200g", 7000),
        ("완도 다시마", "300g", 8000), ("건새우", "200g", 10000), ("북어채", "300g", 11000),
        ("노가리", "500g", 12000), ("반건조 오징어", "5마리", 25000), ("까나리액젓", "1.8L", 12000),
        ("건조 톳", "200g", 6000), ("디포리", "300g", 10000), ("육수용 다시팩", "10개", 9000),
        ("마른 꼴뚜기", "300g", 10000),
    ],
    "두부": [
        ("국산콩 두부", "1모", 2500), ("순두부", "1봉", 2000), ("손두부(국산콩)", "1모", 4000),
        ("연두부", "1팩", 2000), ("수입콩 모두부", "1모", 1500),
        ("국산콩 두부 2모 묶음", "2모", 4500),
        ("찌개용 두부", "1모", 2000), ("부침용 두부", "1모", 2500), ("검은콩 연두부", "1팩", 2500),
        ("유부", "10장", 3000), ("유부초밥용 유부", "1팩", 4000), ("두부 튀김", "1팩", 3500),
        ("두부면", "1팩", 3500), ("콩비지", "500g", 2000), ("도토리묵", "1모", 4000),
        ("청포묵", "1모", 4000), ("메밀묵", "1모", 4500), ("콩국수용 콩물", "1L", 6000),
        ("국산콩 두유", "1L", 5000), ("검은콩 두유", "1L", 5500), ("재래식 청국장", "1팩", 4000),
        ("순두부찌개 밀키트", "1팩", 6500),
    ],
    "분식": [
        ("떡볶이", "1인분", 4000), ("찹쌀순대", "1인분", 4000), ("야채김밥", "1줄", 3500),
        ("모둠튀김", "5개", 5000), ("참치김밥", "1줄", 4500), ("어묵꼬치", "3개", 3000),
        ("꼬마김밥", "10줄", 5000), ("찹쌀꽈배기", "3개", 2000), ("찹쌀도넛", "3개", 2000),
        ("핫도그", "1개", 2500), ("씨앗호떡", "2개", 2000), ("녹두빈대떡", "1장", 6000),
        ("감자전", "1장", 5000), ("김치전", "1장", 5000), ("고추튀김", "3개", 3000),
        ("고기만두", "10개", 6000), ("김치만두", "10개", 6000), ("물만두", "20개", 5000),
        ("순대볶음", "1인분", 8000), ("라볶이", "1인분", 5000), ("유부초밥", "6개", 4000),
        ("오징어튀김", "5개", 5000), ("계란빵", "2개", 3000),
    ],
    "채소": [
        ("대파", "1단", 3000), ("양파", "1.5kg", 4000), ("국산콩 두부", "1모", 2500),
        ("배추", "1포기", 4000), ("무", "1개", 2500), ("쪽파", "1단", 5000), ("감자", "1kg", 4000),
        ("고구마", "1kg", 5000), ("당근", "1kg", 3500), ("애호박", "1개", 1500),
        ("오이", "3개", 2500), ("청양고추", "200g", 2000), ("꽈리고추", "200g", 2500),
        ("깐마늘", "500g", 7000), ("다진 마늘", "300g", 5000), ("생강", "300g", 4000),
        ("시금치", "1단", 3000), ("콩나물", "500g", 1500), ("숙주", "500g", 1500),
        ("상추", "200g", 2500), ("깻잎", "3묶음", 3000), ("부추", "1단", 2500),
        ("미나리", "1단", 3000), ("브로콜리", "1송이", 2500), ("양배추", "1통", 4000),
        ("새송이버섯", "400g", 2500), ("느타리버섯", "300g", 2500), ("팽이버섯", "3봉", 2000),
        ("표고버섯", "200g", 5000), ("가지", "3개", 3000), ("파프리카", "2개", 3000),
        ("단호박", "1개", 4000), ("연근", "500g", 5000), ("우엉", "500g", 4500),
        ("깐도라지", "300g", 6000), ("삶은 고사리", "300g", 5000), ("냉이", "200g", 3000),
        ("달래", "200g", 3000), ("열무", "1단", 4000), ("알배기배추", "1통", 3000),
    ],
    "잡곡": [
        ("경기미 햅쌀", "10kg", 38000), ("찹쌀", "2kg", 10000), ("혼합 10곡", "1kg", 9000),
        ("백미", "20kg", 62000), ("현미", "2kg", 9000), ("흑미", "1kg", 7000), ("귀리", "1kg", 8000),
        ("보리쌀", "1kg", 5000), ("찰보리", "1kg", 6000), ("서리태", "1kg", 15000),
        ("메주콩(백태)", "1kg", 9000), ("쥐눈이콩", "500g", 9000), ("국산 팥", "1kg", 14000),
        ("깐녹두", "500g", 9000), ("찰수수", "500g", 6000), ("차조", "500g", 6000),
        ("기장", "500g", 7000), ("렌틸콩", "1kg", 8000), ("병아리콩", "1kg", 8000),
        ("메밀쌀", "500g", 6000), ("율무", "500g", 7000), ("국산 땅콩", "500g", 9000),
    ],
    "김치": [
        ("배추김치", "1kg", 12000), ("총각김치", "1kg", 13000), ("깍두기", "1kg", 10000),
        ("배추김치 실속포장", "3kg", 33000), ("포기김치(국산)", "5kg", 52000), ("열무김치", "1kg", 11000),
        ("얼갈이김치", "1kg", 10000), ("파김치", "500g", 9000), ("돌산 갓김치", "1kg", 13000),
        ("백김치", "1kg", 11000), ("동치미", "2kg", 10000), ("나박김치", "1kg", 8000),
        ("오이소박이", "1kg", 13000), ("겉절이", "1kg", 12000), ("묵은지", "1kg", 13000),
        ("부추김치", "500g", 7000), ("고들빼기김치", "500g", 12000), ("깻잎김치", "300g", 7000),
        ("석박지", "1kg", 10000), ("무말랭이무침", "500g", 8000),
    ],
    "닭집": [
        ("생닭(10호)", "1마리", 7000), ("옛날통닭", "1마리", 10000), ("특란", "30구", 8500),
        ("토종닭(백숙용)", "1마리", 15000), ("닭볶음탕용 절단닭", "1kg", 8000),
        ("닭가슴살", "1kg", 9000), ("닭다리살(정육)", "1kg", 11000), ("닭날개", "1kg", 9000),
        ("닭봉", "1kg", 9000), ("닭발", "1kg", 8000), ("닭모래집", "1kg", 8000),
        ("양념치킨", "1마리", 17000), ("후라이드치킨", "1마리", 16000), ("닭강정", "1팩", 12000),
        ("삼계탕용 영계", "2마리", 10000), ("훈제오리", "400g", 9000), ("생오리", "1마리", 18000),
        ("유정란", "15구", 7000), ("메추리알", "30구", 4000), ("닭꼬치", "5개", 8000),
        ("찜닭", "1팩", 15000),
    ],
    "제과": [
        ("단팥빵", "1개", 2000), ("소보로빵", "1개", 2000), ("우유식빵", "1개", 4500),
        ("크림빵", "1개", 2000), ("꽈배기", "3개", 2000), ("찹쌀도넛", "5개", 3000),
        ("야채고로케", "2개", 3000), ("옛날식빵", "1개", 4000), ("카스테라", "1개", 8000),
        ("롤케이크", "1개", 9000), ("모카빵", "1개", 5000), ("마늘바게트", "1봉", 4000),
        ("밤식빵", "1개", 6000), ("소금빵", "3개", 6000), ("생크림케이크(1호)", "1개", 25000),
        ("버터쿠키", "1봉", 6000), ("마들렌", "5개", 6000), ("에그타르트", "4개", 8000),
        ("맘모스빵", "1개", 6000), ("슈크림빵", "1개", 2500), ("피자빵", "1개", 3500),
    ],
}
CATEGORIES = tuple(CATALOGUES)

# Every demo market has these, so that each one can take a typical weekly shop (and
# "두부" always finds something); the others come in as the market gets bigger.
CORE_CATEGORIES = ("정육점", "청과", "수산", "반찬", "두부", "채소", "떡집", "방앗간")
EXTRA_CATEGORIES = ("건어물", "분식", "김치", "닭집", "제과", "잡곡")
# Weights for second and later stalls of a kind in big markets.
REPEAT_WEIGHTS = {
    "정육점": 3, "청과": 3, "수산": 3, "반찬": 3, "두부": 1, "채소": 3, "떡집": 1, "방앗간": 1,
    "건어물": 2, "분식": 3, "김치": 2, "닭집": 2, "제과": 1, "잡곡": 1,
}

# "{short}" is the market's short name: 망원시장 -> 망원.
STALL_NAMES: dict[str, list[str]] = {
    "정육점": ["{short} 한우정육점", "으뜸정육점", "제일축산", "한우마을", "대성축산",
            "신선정육점", "{short}축산", "우리한우", "명품한우", "황소정육점", "고기마을",
            "참좋은축산"],
    "청과": ["싱싱청과", "{short}청과", "과일나라", "제일청과", "대박과일", "새벽청과", "사계절과일",
           "햇살청과", "달콤과일", "삼촌네과일"],
    "수산": ["제일수산", "{short}수산", "바다수산", "동해수산", "목포수산", "싱싱수산", "남해수산",
           "서해수산", "통영수산", "부산수산", "어부네수산"],
    "반찬": ["엄마손반찬", "{short}반찬", "할머니반찬", "맛깔반찬", "손맛반찬", "이모네반찬",
           "정성반찬", "소문난반찬", "행복반찬", "밥도둑반찬"],
    "떡집": ["{short}떡집", "원조떡집", "옛날떡집", "할매떡방", "떡사랑", "소문난떡집", "정성떡집",
           "전통떡방"],
    "방앗간": ["{short}방앗간", "제일방앗간", "고소한방앗간", "참기름집", "대성방앗간", "옛날방앗간",
            "삼대방앗간", "우리방앗간"],
    "건어물": ["{short}건어물", "바다건어물", "제일건어물", "삼천포건어물", "완도건어물", "동해건어물",
            "기장멸치상회", "남해건어물"],
    "두부": ["{short}두부", "손두부집", "콩사랑두부", "할머니손두부", "초당두부", "맷돌두부",
           "고소한두부", "국산콩두부"],
    "분식": ["{short}분식", "엄마분식", "원조떡볶이", "할머니순대", "꼬마김밥", "맛나분식", "튀김나라",
           "옛날분식"],
    "채소": ["{short}야채", "싱싱야채", "초록채소", "텃밭야채", "농부네채소", "새벽야채", "푸른채소",
           "제일야채"],
    "잡곡": ["{short}잡곡", "곡식창고", "오곡상회", "쌀가게", "황금잡곡", "제일미곡", "햇곡상회",
           "건강잡곡"],
    "김치": ["{short}김치", "엄마손김치", "전라도김치", "할머니김치", "맛김치", "손맛김치", "해남김치",
           "남도김치"],
    "닭집": ["{short}닭집", "옛날통닭", "싱싱닭집", "제일닭집", "토종닭집", "원조통닭", "황금닭집",
           "시장통닭"],
    "제과": ["{short}제과", "옛날빵집", "제일제과", "행복한빵집", "밀밭제과", "아침빵집", "빵굽는집",
           "동네빵집"],
}

# 성 weighted roughly by their share of the population (통계청 2015 census).
SURNAMES = (
    ("김", 215), ("이", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 24), ("조", 21),
    ("윤", 20), ("장", 20), ("임", 17), ("한", 15), ("오", 15), ("서", 15), ("신", 15),
    ("권", 14), ("황", 14), ("안", 14), ("송", 13), ("류", 12), ("전", 11), ("홍", 11),
)
# Stall owners are mostly in their fifties to seventies; couriers and residents younger.
OWNER_GIVEN_NAMES = (
    "영숙", "정숙", "순자", "영자", "옥순", "미숙", "경자", "명숙", "정희", "순희", "미경", "현숙",
    "영희", "혜숙", "말순", "영호", "영수", "정호", "성호", "상철", "성수", "광수", "종민", "재성",
    "동수", "병철", "용수", "기철", "만수", "정훈", "봉수", "춘자",
)
YOUNGER_GIVEN_NAMES = (
    "민준", "서준", "도윤", "지훈", "현우", "준호", "성민", "동현", "지원", "유진", "수빈", "민재",
    "태민", "승우", "재훈", "지영", "수진", "민지", "현정", "은정", "지현", "서연", "하은", "지민",
    "윤서", "성진", "준영", "상우", "민호", "예린", "다은", "소연",
)

# Share of couriers by vehicle, and the bags each can carry.
VEHICLES = (("walk", 15, (3, 5)), ("bicycle", 20, (5, 8)), ("motorbike", 45, (8, 14)),
            ("car", 20, (20, 40)))

_MARKET_SUFFIXES = ("전통종합시장", "종합시장", "전통시장", "재래시장", "골목시장", "시장")


def market_short_name(market_name: str) -> str:
    """"망원시장" -> "망원"; "돌곶이시장(구 석관황금시장)" -> "돌곶이"."""
    name = re.sub(r"\s*\(.*?\)\s*", "", market_name).strip()
    for suffix in _MARKET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name or "우리"


def stall_count_for(declared_stalls: int | None, rng: random.Random) -> int:
    """8 stalls for the smallest market, 30 from 300 declared stalls up, ±1 for variety."""
    if declared_stalls is None:
        base = 12
    else:
        scale = min(max(declared_stalls, 0), 300) / 300
        base = round(MIN_STALLS + (MAX_STALLS - MIN_STALLS) * scale)
    return min(MAX_STALLS, max(MIN_STALLS, base + rng.randint(-1, 1)))


def generate_stalls(
    market_name: str,
    declared_stalls: int | None,
    rng: random.Random,
    *,
    phones: PhoneAllocator | None = None,
) -> list[StallSpec]:
    """The demo stalls of one market, each with 10–40 products.

    Pass the demo's shared `phones` to keep numbers unique across markets.
    """
    phones = phones if phones is not None else PhoneAllocator()
    count = stall_count_for(declared_stalls, rng)
    categories = _stall_categories(count, rng)
    short = market_short_name(market_name)
    used_names: set[str] = set()
    used_owners: set[str] = set()
    stalls = []
    for category in categories:
        stalls.append(StallSpec(
            name=_unique_stall_name(category, short, used_names, rng),
            category=category,
            owner_name=_unique_person(OWNER_GIVEN_NAMES, used_owners, rng),
            phone=phones.next(),
            products=generate_products(category, rng),
        ))
    return stalls


def generate_products(category: str, rng: random.Random) -> list[ProductSpec]:
    """10–40 products of one stall: the category's staples plus a random selection."""
    catalogue = CATALOGUES[category]
    count = rng.randint(MIN_PRODUCTS, min(MAX_PRODUCTS, len(catalogue)))
    chosen = set(range(STAPLES)) | set(rng.sample(range(STAPLES, len(catalogue)), count - STAPLES))
    return [_product(*catalogue[index], rng) for index in sorted(chosen)]


def generate_couriers(
    market_name: str, rng: random.Random, count: int, *, phones: PhoneAllocator | None = None
) -> list[CourierSpec]:
    """`count` couriers of a market's delivery centre, mostly on motorbikes."""
    phones = phones if phones is not None else PhoneAllocator()
    kinds = [kind for kind, _, _ in VEHICLES]
    weights = [weight for _, weight, _ in VEHICLES]
    capacity = {kind: bounds for kind, _, bounds in VEHICLES}
    used: set[str] = set()
    couriers = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        couriers.append(CourierSpec(
            name=_unique_person(YOUNGER_GIVEN_NAMES, used, rng),
            phone=phones.next(),
            vehicle_kind=kind,
            capacity_bags=rng.randint(*capacity[kind]),
        ))
    return couriers


def generate_residents(
    rng: random.Random,
    count: int = 5,
    *,
    phones: PhoneAllocator | None = None,
    near: tuple[float, float] | None = None,
    radius_m: float = 1500.0,
    gazetteer: Gazetteer | None = None,
) -> list[ResidentSpec]:
    """A few named residents with phones.

    With `near` (lat, lng), each gets a home point uniformly within `radius_m` of it and an
    address naming the 행정동 whose centre is nearest, e.g. "서울특별시 마포구 망원1동 빌라 302호".
    """
    phones = phones if phones is not None else PhoneAllocator()
    if near is not None and gazetteer is None:
        gazetteer = Gazetteer.load()
    used: set[str] = set()
    residents = []
    for _ in range(count):
        name = _unique_person(YOUNGER_GIVEN_NAMES + OWNER_GIVEN_NAMES[:8], used, rng)
        phone = phones.next()
        if near is None:
            residents.append(ResidentSpec(name=name, phone=phone))
            continue
        lat, lng = _point_within(near, radius_m, rng)
        place = gazetteer.nearest(lat, lng)
        address = f"서울특별시 {place.gu} {place.dong} {_resident_detail(rng)}"
        residents.append(ResidentSpec(name=name, phone=phone, lat=lat, lng=lng, address=address))
    return residents


# --- helpers ----------------------------------------------------------------------------------

def _stall_categories(count: int, rng: random.Random) -> list[str]:
    categories = list(CORE_CATEGORIES)
    extras = list(EXTRA_CATEGORIES)
    rng.shuffle(extras)
    categories += extras[: max(0, count - len(categories))]
    kinds = list(REPEAT_WEIGHTS)
    weights = [REPEAT_WEIGHTS[kind] for kind in kinds]
    while len(categories) < count:
        categories.append(rng.choices(kinds, weights)[0])
    rng.shuffle(categories)  # stalls are not laid out by kind along the alley
    return categories


def _unique_stall_name(category: str, short: str, used: set[str], rng: random.Random) -> str:
    templates = STALL_NAMES[category]
    for template in rng.sample(templates, len(templates)):
        name = template.format(short=short)
        if name not in used:
            used.add(name)
            return name
    # A big market with many stalls of one kind: number them like real 호 signs.
    number = 2
    base = templates[0].format(short=short)
    while f"{base} {number}호점" in used:
        number += 1
    used.add(f"{base} {number}호점")
    return f"{base} {number}호점"


def _unique_person(given_names: Sequence[str], used: set[str], rng: random.Random) -> str:
    surnames = [surname for surname, _ in SURNAMES]
    weights = [weight for _, weight in SURNAMES]
    for _ in range(50):
        name = rng.choices(surnames, weights)[0] + rng.choice(given_names)
        if name not in used:
            break
    used.add(name)
    return name


def _product(name: str, unit: str, typical_price: int, rng: random.Random) -> ProductSpec:
    price = _round_price(typical_price * rng.uniform(0.9, 1.1))
    stock = None if rng.random() < 0.3 else rng.randint(3, 40)
    return ProductSpec(name=name, unit=unit, price=price, stock=stock)


def _round_price(price: float) -> int:
    step = 500 if price >= 10000 else 100
    return max(step, int(round(price / step)) * step)


def _point_within(
    centre: tuple[float, float], radius_m: float, rng: random.Random
) -> tuple[float, float]:
    # Uniform over the disc: the radius grows with the square root of a uniform draw.
    distance = radius_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    lat, lng = centre
    dlat = distance * math.cos(bearing) / 111_320
    dlng = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _resident_detail(rng: random.Random) -> str:
    kind = rng.choices(("apartment", "villa", "house"), (6, 3, 1))[0]
    if kind == "apartment":
        return f"아파트 {rng.randint(101, 112)}동 {rng.randint(1, 20)}{rng.randint(1, 6):02d}호"
    if kind == "villa":
        return f"빌라 {rng.randint(1, 4)}0{rng.randint(1, 3)}호"
    return f"주택 {rng.randint(1, 3)}층"
