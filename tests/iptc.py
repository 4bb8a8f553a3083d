"""IPTC's official ninjs schemas and example items (tests/fixtures/iptc-ninjs, copied unchanged from
iptc/newsinjson), and validators built from them offline (GeoJSON registered under the URI they use)."""

import json
from pathlib import Path
from typing import Any

from jsonschema import validators
from referencing import Registry, Resource

IPTC = Path(__file__).parent / "fixtures" / "iptc-ninjs"
GEOJSON = "https://geojson.org/schema/GeoJSON.json"
OFFICIAL = {"1.6": "ninjs-schema_1.6.json", "2": "ninjs-schema_2.2.json", "3": "ninjs-schema_3.1.json"}


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((IPTC / "specification" / name).read_text(encoding="utf-8"))
    return document


def registry(*extra: dict[str, Any]) -> Registry[Any]:
    """The official schemas by their $id, GeoJSON by the URI they reference it with, and `extra` schemas."""
    resources = [(GEOJSON, Resource.from_contents(_load("GeoJSON-schema.json")))]
    resources += [(_load(name)["$id"].rstrip("#"), Resource.from_contents(_load(name))) for name in OFFICIAL.values()]
    resources += [(schema["$id"], Resource.from_contents(schema)) for schema in extra]
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


def errors(schema: dict[str, Any], item: Any, known: Registry[Any]) -> list[str]:
    validator = validators.validator_for(schema)(schema, registry=known)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(item)]


def official_errors(version: str, item: Any) -> list[str]:
    return errors(_load(OFFICIAL[version]), item, registry())


def examples() -> list[Path]:
    """IPTC's example items (not the example extension schema)."""
    return sorted(path for path in (IPTC / "examples").glob("*.json") if "extension-schema" not in path.name)


def version_of_example(path: Path) -> str:
    """'1.6', '2' or '3', from the file name IPTC gave it."""
    return "1.6" if path.name.startswith("1.") else path.name[0]


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
