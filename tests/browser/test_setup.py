"""Without Chromium the browser tests skip on a developer's machine and fail under CI."""

from __future__ import annotations

import pytest

from tests.browser.conftest import MISSING, chromium_paths


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, no chromedriver
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        chromium_paths()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception) as info:
        chromium_paths()
    assert str(info.value.msg) == MISSING


def test_the_browser_and_its_driver_are_debians():
    browser, driver = chromium_paths()
    assert browser.endswith(("chromium", "chromium-browser")) and driver.endswith("chromedriver")
