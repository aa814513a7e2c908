"""SMS benchmark: queued messages pushed through the Twilio gateway by several `flask sms worker`
processes on PostgreSQL, to the local Twilio stand-in.

    python bench/sms.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH_DB
                        [--messages 2000] [--workers 2] [--batch 50]

Use a scratch database: the schema is created if missing and every outbox row is deleted before
and after the run (otherwise the workers would send other due rows too). The stand-in runs in this
process; each worker is the production command (`flask sms worker --until-empty`, APP_ENV=production,
SMS_BACKEND=twilio, TWILIO_API_BASE_URL pointing at the stand-in), so rows are claimed with
FOR UPDATE SKIP LOCKED exactly as in production.

Printed: messages per second (first claim to last record, and wall time including process start),
duplicates (bodies Twilio received more than once: must be 0) and lost (queued messages Twilio never
received or rows not `sent`: must be 0). Figures only; nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select  # noqa: E402

from config import TestingConfig  # noqa: E402
from market_app import create_app  # noqa: E402
from market_app.extensions import db  # noqa: E402
from market_app.notify.models import OutboxMessage, OutboxStatus, ProviderStatusEvent, SmsOptOut  # noqa: E402
from market_app.notify.outbox import queue_sms  # noqa: E402
from tests.support.twilio_standin import TwilioStandin  # noqa: E402

SENDER = "+15005550006"


def empty_outbox() -> None:
    for model in (OutboxMessage, ProviderStatusEvent, SmsOptOut):
        db.session.execute(delete(model))
    db.session.commit()


def queue_messages(count: int) -> list[str]:
    now = datetime.now(timezone.utc)
    bodies = []
    for number in range(count):
        body = f"[장보기] 벤치마크 문자 {number:05d}번"
        queue_sms(key=f"bench:{number}", to=f"+8210{90_000_000 + number % 500:08d}", body=body,
                  kind="bench", now=now)
        bodies.append(body)
        if number % 500 == 499:
            db.session.commit()
    db.session.commit()
    return bodies


def start_worker(database_url: str, standin: TwilioStandin, batch: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "APP_ENV": "production",
        "SECRET_KEY": "bench-only-secret",
        "DATABASE_URL": database_url,
        "SMS_BACKEND": "twilio",
        "SMS_BATCH_SIZE": str(batch),
        "TWILIO_ACCOUNT_SID": standin.account_sid,
        "TWILIO_AUTH_TOKEN": standin.auth_token,
        "TWILIO_FROM": SENDER,
        "TWILIO_API_BASE_URL": standin.base_url,
        "PUBLIC_BASE_URL": "https://jangbogi.example",
        "LOG_LEVEL": "WARNING",
        "SCHEDULER_ENABLED": "0",
    }
    return subprocess.Popen([sys.executable, "-m", "flask", "sms", "worker", "--until-empty", "--interval", "0.2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a scratch PostgreSQL database (or BENCH_DATABASE_URL)")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50, help="rows per dispatcher run (SMS_BATCH_SIZE)")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("--database-url must name a scratch PostgreSQL database (SKIP LOCKED needs PostgreSQL)")

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context(), TwilioStandin() as standin:
        db.create_all()
        empty_outbox()
        bodies = queue_messages(args.messages)
        print(f"queued {len(bodies)} messages; {args.workers} workers, batch {args.batch}; "
              f"Twilio stand-in at {standin.base_url}")

        started = time.perf_counter()
        workers = [start_worker(args.database_url, standin, args.batch) for _ in range(args.workers)]
        outputs = [worker.communicate(timeout=600)[0] for worker in workers]
        wall = time.perf_counter() - started

        for number, (worker, output) in enumerate(zip(workers, outputs), 1):
            last = output.strip().splitlines()[-1] if output.strip() else "(no output)"
            print(f"worker {number}: exit {worker.returncode}; {last}")
            if worker.returncode:
                print(output)
        db.session.expire_all()
        first_claim, last_sent = db.session.execute(
            select(func.min(OutboxMessage.claimed_at), func.max(OutboxMessage.sent_at))).one()
        statuses = Counter(dict(db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))
        received = Counter(message["body"] for message in standin.messages)
        duplicates = sum(count - 1 for count in received.values() if count > 1)
        never_received = sum(1 for body in bodies if body not in received)
        not_sent = args.messages - statuses.get(OutboxStatus.SENT, 0)
        lost = max(never_received, not_sent)
        sending_seconds = (last_sent - first_claim).total_seconds() if first_claim and last_sent else float("nan")

        print(f"sent {statuses.get(OutboxStatus.SENT, 0)} of {args.messages} "
              f"(rows by status: {dict(statuses)}); Twilio received {len(standin.messages)}")
        print(f"messages/s: {args.messages / sending_seconds:,.0f} (first claim to last record, "
              f"{sending_seconds:.2f} s); {args.messages / wall:,.0f} including worker start-up ({wall:.2f} s)")
        print(f"duplicates: {duplicates}")
        print(f"lost: {lost}")
        empty_outbox()


if __name__ == "__main__":
    main()
