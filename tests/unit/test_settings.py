"""Settings: the structured-output mode per server, refusing an incomplete configuration, and the concerns
they are made of, of which a layer gets its slice."""

import pytest
from pydantic import BaseModel, ValidationError

from service.settings import CoreSettings, ModelSettings, Settings


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


def test_every_setting_belongs_to_one_concern() -> None:
    concerns = [
        base for base in Settings.__mro__[1:] if issubclass(base, BaseModel) and base.__module__ == Settings.__module__
    ]
    owned = [name for concern in concerns for name in concern.model_fields]

    assert len(owned) == len(set(owned))  # none in two concerns
    assert set(owned) == set(Settings.model_fields)


def test_a_layer_gets_its_slice_alone() -> None:
    settings = Settings(_env_file=None, base_url="http://localhost:11434/v1", model="m", reasks=0, context_tokens=4096)  # type: ignore[call-arg]

    asking = settings.slice(ModelSettings)
    core = settings.core()

    assert type(asking) is ModelSettings
    assert (asking.reasks, asking.model, asking.streams) == (0, "m", False)
    assert not hasattr(asking, "job_workers")
    assert core == CoreSettings(
        max_text_chars=60_000, request_budget_s=300.0, context_tokens=4096, max_output_tokens=1536, parallel_calls=4
    )
    assert Settings(_env_file=None, embedded_slots=2).core().parallel_calls == 2  # type: ignore[call-arg]
