"""`make run` on another port: the links in texts (route links, /o/<order>) must reach that port."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_another_port_sends_links_to_that_port():
    """Given `PORT=8000 make run`, when the served command is printed (dry run), then PUBLIC_BASE_URL
    defaults to http://127.0.0.1:8000, so a courier's route link from /dev/sms opens the running app."""
    printed = subprocess.run(["make", "-n", "run", "PORT=8000"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    served = [line for line in printed.splitlines() if "flask run" in line or "PUBLIC_BASE_URL" in line]

    assert any("PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:8000}" in line for line in served)
    assert any("--port 8000" in line for line in served)
