"""Checkout benchmark: orders placed through the real app (gunicorn + PostgreSQL) by concurrent clients.

    python bench/checkout.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/jangbogi_bench \
        [--orders 400] [--clients 8] [--workers 2] [--threads 4] [--scarce-stock 600]

The database is EMPTIED and seeded: one market (망원시장) with three stalls, a scarce product (두부,
--scarce-stock units) that most orders want, plenty of everything else, and one resident per
client. gunicorn serves `wsgi:app` on 127.0.0.1 and a free port; each client thread posts its share
of the orders to POST /api/orders (bearer token, Idempotency-Key), and every 10th order is sent
twice with the same key, as a retried request would be. While they run, one more thread calls
GET /healthz, so both sets of figures come from the same run.

Printed: orders/s, p50/p99 latency of checkout and of /healthz, the outcome counts, and the
checks that no stock went negative, that sold + left = initial for the scarce product, and that
no retried key made a second order. Exit status 1 if a check fails. Figures only otherwise:
nothing fails on a slow machine. Every request goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-only-secret"
REQUEST_TIMEOUT_S = 30
RETRY_EVERY = 10


@dataclass
class Seed:
    market_id: int
    tokens: list[str]
    scarce_product_id: int
    scarce_stock: int
    other_product_ids: list[int]
    address_ids: list[int]


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    order_ids_by_key: dict[str, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency_ms: float, outcome: str, key: str | None = None, order_id: int | None = None):
        with self.lock:
            self.latencies_ms.append(latency_ms)
            self.outcomes[outcome] += 1
            if key and order_id is not None:
                self.order_ids_by_key.setdefault(key, set()).add(order_id)


def seed(database_url: str, clients: int, scarce_stock: int) -> Seed:
    """Empty the database and create the market, stalls, products and residents (tokens issued directly)."""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY)
    from config import Config
    from market_app import create_app
    from market_app.accounts.models import Address, Role, User
    from market_app.accounts.operations import issue_api_token
    from market_app.catalog.models import Market, Product, Stall
    from market_app.clock import now as wall_clock
    from market_app.extensions import db
    from market_app.textsearch import normalise

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = wall_clock()
        market = Market(name="망원시장", gu="마포구", dong="망원2동", address="서울특별시 마포구 포은로 27",
                        lat=37.5561, lng=126.9058, is_online=True, created_at=now, updated_at=now)
        db.session.add(market)
        db.session.flush()
        stalls = [Stall(market_id=market.id, name=name, category=category, phone=f"+82101000000{i}",
                        is_open=True, created_at=now)
                  for i, (name, category) in enumerate((("망원두부", "두부"), ("싱싱청과", "청과"), ("바다수산", "수산")))]
        db.session.add_all(stalls)
        db.session.flush()

        def product(stall, name, price, stock):
            row = Product(stall_id=stall.id, name=name, unit="", price=price, stock=stock, sold_out=False,
                          search_key=normalise(name), created_at=now)
            db.session.add(row)
            return row

        scarce = product(stalls[0], "국산 두부", 2500, scarce_stock)
        others = [product(stalls[0], "콩나물", 1500, None), product(stalls[1], "부사 사과", 9000, 100_000),
                  product(stalls[1], "배추", 4000, 100_000), product(stalls[2], "손질 고등어", 7000, 100_000)]
        residents, addresses = [], []
        for i in range(clients):
            resident = User(role=Role.RESIDENT, name=f"주민{i}", phone=f"+8210{20_000_000 + i:08d}",
                            created_at=now, is_active_account=True, optional_sms=True)
            db.session.add(resident)
            db.session.flush()
            address = Address(user_id=resident.id, gu="마포구", dong="망원1동", dong_code="1144069000",
                              detail=f"포은로 {i + 1}", lat=37.5558, lng=126.9016, created_at=now)
            db.session.add(address)
            residents.append(resident)
            addresses.append(address)
        db.session.commit()
        result = Seed(market.id, [issue_api_token(r, SECRET_KEY) for r in residents], scarce.id, scarce_stock,
                      [p.id for p in others], [a.id for a in addresses])
        db.session.remove()
        db.engine.dispose()
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "APP_ENV": "production",
           "RATELIMIT_ENABLED": "0", "SCHEDULER_ENABLED": "0", "LOG_LEVEL": "WARNING",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(base: str, server: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def order_body(seed_data: Seed, client: int, rng: random.Random, wave: str) -> dict:
    """Most orders want 1-3 of the scarce tofu, plus enough other goods to pass the minimum order."""
    lines = [{"product_id": seed_data.scarce_product_id, "quantity": rng.randint(1, 3)}]
    for product_id in rng.sample(seed_data.other_product_ids, 2):
        lines.append({"product_id": product_id, "quantity": rng.randint(1, 2)})
    lines.append({"product_id": seed_data.other_product_ids[1], "quantity": 1})  # apples: 9,000원
    merged: dict[int, int] = {}
    for line in lines:
        merged[line["product_id"]] = merged.get(line["product_id"], 0) + line["quantity"]
    return {"market_id": seed_data.market_id, "wave": wave, "address_id": seed_data.address_ids[client],
            "lines": [{"product_id": p, "quantity": q} for p, q in merged.items()]}


def run_client(base: str, seed_data: Seed, client: int, count: int, wave: str, results: Results,
               first_number: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {seed_data.tokens[client]}"
    rng = random.Random(client)
    for number in range(first_number, first_number + count):
        key = f"bench-{uuid.uuid4()}"
        body = order_body(seed_data, client, rng, wave)
        sends = 2 if number % RETRY_EVERY == 0 else 1
        for _ in range(sends):
            started = time.perf_counter()
            try:
                response = session.post(f"{base}/api/orders", json=body, headers={"Idempotency-Key": key},
                                        timeout=REQUEST_TIMEOUT_S)
            except requests.RequestException as error:
                results.record((time.perf_counter() - started) * 1000, f"error:{type(error).__name__}")
                continue
            latency = (time.perf_counter() - started) * 1000
            payload = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
            if response.status_code == 201:
                results.record(latency, "placed", key, payload["id"])
            else:
                results.record(latency, payload.get("error", {}).get("code", f"http_{response.status_code}"))


def run_health(base: str, stop: threading.Event, results: Results) -> None:
    session = requests.Session()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status = session.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT_S).status_code
            results.record((time.perf_counter() - started) * 1000, "ok" if status == 200 else f"http_{status}")
        except requests.RequestException as error:
            results.record((time.perf_counter() - started) * 1000, f"error:{type(error).__name__}")
        time.sleep(0.01)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def check_stock(database_url: str, seed_data: Seed) -> tuple[list[str], int, int]:
    """Problems found in the database after the run (empty = all good), tofu sold and left."""
    from sqlalchemy import create_engine, text
    problems = []
    engine = create_engine(database_url)
    with engine.connect() as connection:
        negative = connection.execute(text("SELECT count(*) FROM products WHERE stock < 0")).scalar()
        if negative:
            problems.append(f"{negative} products with negative stock")
        left = connection.execute(text("SELECT stock FROM products WHERE id = :id"),
                                  {"id": seed_data.scarce_product_id}).scalar()
        sold = connection.execute(text(
            "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.product_id = :id"),
            {"id": seed_data.scarce_product_id}).scalar()
        if sold + left != seed_data.scarce_stock:
            problems.append(f"tofu: sold {sold} + left {left} != initial {seed_data.scarce_stock}")
        keys = connection.execute(text(
            "SELECT count(*) FROM (SELECT resident_id, idempotency_key FROM orders "
            "GROUP BY resident_id, idempotency_key HAVING count(*) > 1) d")).scalar()
        if keys:
            problems.append(f"{keys} idempotency keys with more than one order")
    engine.dispose()
    return problems, sold, left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL of a scratch database (emptied!); default $BENCH_DATABASE_URL")
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--scarce-stock", type=int, default=600, help="units of the tofu everybody wants")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("--database-url must name a scratch PostgreSQL database (it is emptied)")
    if not 1 <= args.clients <= 64 or not 1 <= args.orders <= 20_000:
        parser.error("use 1-64 clients and 1-20000 orders")

    seed_data = seed(args.database_url, args.clients, args.scarce_stock)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(args.database_url, port, args.workers, args.threads)
    try:
        wait_until_up(base, server)
        waves = requests.get(f"{base}/api/markets/{seed_data.market_id}/waves", timeout=10).json()
        wave = waves[0]["key"]
        checkout, health = Results(), Results()
        stop = threading.Event()
        health_thread = threading.Thread(target=run_health, args=(base, stop, health), daemon=True)
        shares = [args.orders // args.clients + (1 if i < args.orders % args.clients else 0)
                  for i in range(args.clients)]
        starts = [sum(shares[:i]) for i in range(args.clients)]
        clients = [threading.Thread(target=run_client, args=(base, seed_data, i, shares[i], wave, checkout,
                                                             starts[i])) for i in range(args.clients)]
        health_thread.start()
        started = time.perf_counter()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        elapsed = time.perf_counter() - started
        stop.set()
        health_thread.join(timeout=REQUEST_TIMEOUT_S)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    problems, sold, left = check_stock(args.database_url, seed_data)
    requests_sent = sum(checkout.outcomes.values())
    retried_same = sum(1 for ids in checkout.order_ids_by_key.values() if len(ids) == 1)
    print(f"checkout: {args.orders} orders ({requests_sent} requests incl. retries) from {args.clients} clients, "
          f"gunicorn {args.workers}x{args.threads}, wave {wave}, {elapsed:.1f} s")
    orders_made = len(checkout.order_ids_by_key)
    print(f"  {orders_made} orders made: {orders_made / elapsed:.1f} orders/s ({requests_sent / elapsed:.1f} requests/s); "
          f"latency p50 {percentile(checkout.latencies_ms, 50):.0f} ms, p99 {percentile(checkout.latencies_ms, 99):.0f} ms")
    print("  outcomes: " + ", ".join(f"{name} {count}" for name, count in checkout.outcomes.most_common()))
    print(f"healthz (same run): {sum(health.outcomes.values())} requests, "
          f"{sum(health.outcomes.values()) / elapsed:.1f} requests/s; latency p50 "
          f"{percentile(health.latencies_ms, 50):.1f} ms, p99 {percentile(health.latencies_ms, 99):.1f} ms; "
          + ", ".join(f"{name} {count}" for name, count in health.outcomes.most_common()))
    print(f"stock: tofu initial {seed_data.scarce_stock} = sold {sold} + left {left}; "
          f"{orders_made} keys answered with {retried_same} single orders")
    if problems:
        print("CHECK FAILED: " + "; ".join(problems))
        return 1
    print("check: no stock negative, nothing oversold, no key made two orders: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
