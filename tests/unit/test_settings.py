"""Settings: the structured-output mode per server, and refusing an incomplete configuration."""

import pytest
from pydantic import ValidationError

from service.settings import Settings


@pytest.mark.parametrize(
    ("base_url", "mode", "expected"),
    [
        (None, "auto", "json_schema"),  # embedded llama.cpp
        ("https://api.openai.com/v1", "auto", "tools"),
        ("http://localhost:11434/v1", "auto", "json_schema"),  # Ollama
        ("http://localhost:8000/v1", "auto", "json_schema"),  # vLLM
        ("http://localhost:1234/v1", "auto", "json_schema"),  # LM Studio
        ("https://api.openai.com/v1", "json_schema", "json_schema"),  # a setting overrides
        ("http://localhost:11434/v1", "md_json", "md_json"),
    ],
)
def test_mode_follows_the_server_unless_set(base_url: str | None, mode: str, expected: str) -> None:
    settings = Settings(_env_file=None, base_url=base_url, model="m", mode=mode)  # type: ignore[call-arg,arg-type]

    assert settings.resolved_mode() == expected


def test_an_external_server_needs_a_model_name() -> None:
    with pytest.raises(ValidationError, match="SUMMARISE_MODEL"):
        Settings(_env_file=None, base_url="http://localhost:11434/v1")  # type: ignore[call-arg]


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARISE_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("SUMMARISE_MODEL", "qwen2.5:7b")
    monkeypatch.setenv("SUMMARISE_API_KEY", "sk-secret")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.model == "qwen2.5:7b"
    assert "sk-secret" not in repr(settings)  # a secret never shows in logs or errors
