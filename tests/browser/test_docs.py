"""/docs in a real headless browser (Debian's chromium, driven by Playwright) with the network off: the page
renders every route from the API's own assets, and no request leaves loopback.

Runs in the default suite; skipped, with the reason, only where no chromium is installed, unless
SUMMARISE_TESTS_NEED_CHROMIUM is set (.ci/run installs chromium and sets it: there a missing one fails).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.api.app import create_app
from service.settings import Settings
from tests.live_servers import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("SUMMARISE_TESTS_NEED_CHROMIUM"),
    reason="no chromium installed (apt-get install chromium; .ci/run does): /docs not rendered in a browser",
)
ROUTES = ["/v1/summaries", "/v1/ninjs/summaries", "/v1/jobs", "/v1/jobs/{job_id}", "/health", "/ready"]


def test_docs_render_every_route_offline(tmp_path: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    assert CHROMIUM is not None, "SUMMARISE_TESTS_NEED_CHROMIUM is set and no chromium is installed"

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        model_cache_dir=tmp_path,
        job_workers=0,
        log_level="WARNING",
        base_url="http://127.0.0.1:9/v1",  # never asked: /docs needs no model
        model="test-model",
    )
    requested: list[str] = []
    refused: list[str] = []
    errors: list[str] = []
    with serving(create_app(settings)) as api, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # Network off inside the browser too: any name but loopback's fails to resolve.
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--no-sandbox"],
        )
        try:
            page = browser.new_page()

            def only_loopback(route: Route) -> None:
                url = route.request.url
                requested.append(url)
                if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
                    route.continue_()
                else:
                    refused.append(url)
                    route.abort()

            page.route("**/*", only_loopback)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{api}/docs", wait_until="networkidle")
            page.wait_for_selector(".opblock-summary-path", timeout=30_000)
            shown = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()

    assert refused == []
    assert errors == []
    assert {path.replace("\u200b", "") for path in shown} >= set(ROUTES)
    assert "Structured summarisation API" in title
    assert any(url.endswith("/docs/assets/swagger-ui-bundle.js") for url in requested)
    assert any(url.endswith("/docs/openapi.json") for url in requested)
