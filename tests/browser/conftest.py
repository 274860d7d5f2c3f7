"""A headless Chromium driven by selenium through Debian's chromedriver (``make system-deps``
installs both). Without them the browser tests skip on a developer's machine and fail in CI
(``CI=true``), where a skip would hide that the player was never opened in a browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# Offline and quiet: with the network closed, Chromium's background services hang on
# connections unless they are turned off.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
MISSING = (
    "the browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, "
    "/usr/bin/chromedriver): run `make system-deps` or `apt-get install chromium "
    "chromium-driver`"
)


def missing(message: str) -> None:
    """Skip on a developer's machine; fail under CI, where the test command installs all."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def chromium_paths() -> tuple[str, str]:
    """The browser and its driver (or a skip or failure saying how to install them)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        missing(MISSING)
    return browser, driver


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session, with a fresh profile and its console log."""
    from selenium import webdriver  # in the test extra: pip install -e '.[test]'
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium_paths()
    profile = tempfile.mkdtemp(prefix="autograd-lite-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver is Debian's, named explicitly: Selenium Manager never downloads one.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
