"""ninjs items (1.6, 2.x, 3.x) to articles, and summaries back into the item as a ninjs enrichment.

The version is the one the item's `standard` / `$standard` declares, else the one its field names are
from: 3.x writes camelCase (`versionCreated`, `contentType`), 2.x the same properties in lowercase, 1.6
has neither `bodies` nor the other plural lists. The body is the first plain-text one, else the first
HTML one, by the properties of that version.

HTML becomes text with inscriptis (block elements become line breaks, entities are decoded, scripts
dropped), in a worker thread and only under MAX_HTML_ELEMENTS elements: a 60,000-cell table takes seconds of
CPU (bench/README.md). The text is returned with the summary, since every evidence offset refers to it.

An enrichment is the item exactly as sent, plus what is not there yet: participants in the people /
organisations / places lists (matched by name, so an entry an editor gave a `uri` stays as it is; `rel`
"about" when the story is about them, else "mentions"), the subjects the item is not filed under yet
(IPTC Media Topics; see `_add_subjects`), the summary as a description when the item has none, and our data in the extension our schema declares
(`summarise`; in 1.6 `description_summarise_json`, JSON text), named in `standard` (`$standard`).
Asked for another version, the item is converted to it first (service/adapters/ninjs_versions.py) and
enriched there; what that version has no place for is in the extension's `unconverted`.
"""

import copy
import json
import re
from datetime import datetime
from typing import Any

import anyio.to_thread
import inscriptis
from inscriptis.model.config import ParserConfig
from lxml.etree import ParserError
from lxml.html import HTMLParser, document_fromstring

from schemas import ArticleRequest, SummaryResponse
from schemas.ninjs import EXTENSION_PROPERTY, IPTC_SCHEMAS
from schemas.summary import Subject
from service.adapters.ninjs_versions import (
    CHAR_COUNT,
    CONTENT_TYPE,
    FIRST_CREATED,
    ORGANISATIONS,
    PEOPLE,
    PLACES,
    STANDARD,
    SUBJECTS,
    VERSION_CREATED,
    WORD_COUNT,
    WRITTEN,
    F,
    Version,
    convert,
    item_names,
)
from service.core.mediatopics import Concept, media_topics
from service.errors import ArticleTooLong, InvalidNinjs

MAX_HTML_ELEMENTS = 10_000  # a long story in paragraphs has a few hundred; what 10,000 cost: bench/README.md
_ELEMENT = re.compile(r"<[A-Za-z]")
# libxml2 stops at 256 levels and drops the text below; huge_tree lifts that (the size is bounded above).
_PARSER = HTMLParser(huge_tree=True)
_XML_DECLARATION = re.compile(r"^<\?xml [^>]*\?>")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "pre")

# How an item that declares no version tells it: a name only 3.x gives a field (camelCase, or a field 2.x
# lacks), one only 2.x gives, or none of the lists 1.6 lacks; the same for its text entries' names.
_NAMED_3 = item_names("3") - item_names("2")
_NAMED_2 = item_names("2") - item_names("3")
_ENTRY_NAMED_3 = frozenset(row.called("3") for row in (CONTENT_TYPE, CHAR_COUNT, WORD_COUNT))
_ENTRY_NAMED_2 = frozenset(row.called("2") for row in (CONTENT_TYPE, CHAR_COUNT, WORD_COUNT))
_PLURAL_2_3 = frozenset(  # not events, objects or genres: an item with only those and body_* is read as 1.6
    ["bodies", "headlines", "descriptions", "people", "organisations", "places", "subjects", "by", "standard"]
)
_TEXT_LISTS = ("bodies", "headlines", "descriptions")
_HTML_SUFFIXES = ("html", "xhtml", "richtext", "nitf", "xml")

# Our participant kinds as ninjs lists. Groups and "other" have none; they stay in the extension.
_LISTS: dict[str, F] = {"person": PEOPLE, "organization": ORGANISATIONS, "country": PLACES}
# IPTC's own examples: "about" what the story is about, "mentions" the rest.
ABOUT, MENTIONS = "about", "mentions"
MEDTOP_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"  # 1.6 `scheme` + `code` join into the concept's URI


def version_of(item: dict[str, Any]) -> Version:
    declared = (item.get("standard") or item.get("$standard") or {}).get("version")
    if isinstance(declared, str) and (major := declared.split(".")[0]).isdigit():
        return "1.6" if major == "1" else "2" if major == "2" else "3"
    entries = [e for key in _TEXT_LISTS if isinstance(item.get(key), list) for e in item[key] if isinstance(e, dict)]
    if _NAMED_3 & item.keys() or any(_ENTRY_NAMED_3 & e.keys() for e in entries):
        return "3"
    if not _PLURAL_2_3 & item.keys():
        return "1.6"
    if _NAMED_2 & item.keys() or any(_ENTRY_NAMED_2 & e.keys() for e in entries):
        return "2"
    return "3"  # only fields 2.x and 3.x share: the current version


async def to_article(item: dict[str, Any]) -> tuple[ArticleRequest, list[str]]:
    """The article an item carries, and what to tell about it: an item with no body but a description with
    role "text" (NTB's) has that summarised, said in a warning."""
    version = version_of(item)
    text, warnings = await _body_text(item, version), []
    if not text.strip() and (text := await _text_description(item, version)).strip():
        warnings.append(f"the item has no body text: its {_TEXT_DESCRIPTION[version]} was summarised")
    if not text.strip():
        raise InvalidNinjs(
            "the item has no body text: send a body_* property (1.6, e.g. body_text or body_html) or bodies[] "
            "(2.x, 3.x) with text or HTML, or a description with role text"
        )
    created = item.get(VERSION_CREATED.called(version)) or item.get(FIRST_CREATED.called(version))
    article = ArticleRequest(
        text=text,
        title=(_headline(item, version) or "")[:1000] or None,
        published=_iso_date(created),
        language=item.get("language") if isinstance(item.get("language"), str) else None,
        id=_string(item.get("uri") or item.get("guid")),
    )
    return article, warnings


def with_warnings(summary: SummaryResponse, warnings: list[str]) -> SummaryResponse:
    """The summary with `warnings` first among its own (a copy: the summary may be the cache's)."""
    if not warnings:
        return summary
    meta = summary.meta.model_copy(update={"warnings": [*warnings, *summary.meta.warnings]})
    return summary.model_copy(update={"meta": meta})


_TEXT_DESCRIPTION = {
    "1.6": "description_text",
    "2": 'description with role "text"',
    "3": 'description with role "text"',
}


async def _text_description(item: dict[str, Any], version: Version) -> str:
    if version == "1.6":
        return _string(item.get("description_text")) or ""
    for entry in item.get("descriptions") or []:
        if not (isinstance(entry, dict) and entry.get("role") == "text" and isinstance(entry.get("value"), str)):
            continue
        value: str = entry["value"]
        html = _is_html(entry, value, version)
        if html is not None and (text := await html_to_text(value) if html else value).strip():
            return text
    return ""


async def _body_text(item: dict[str, Any], version: Version) -> str:
    texts: list[str] = []
    htmls: list[str] = []
    if version == "1.6":
        bodies = {key: value for key, value in item.items() if key.startswith("body_") and isinstance(value, str)}
        for key in sorted(bodies, key=lambda key: key not in ("body_text", "body_html")):  # those first
            (htmls if key.removeprefix("body_").endswith(_HTML_SUFFIXES) else texts).append(bodies[key])
    else:
        for body in item.get("bodies") or []:
            if not (isinstance(body, dict) and isinstance(value := body.get("value"), str)):
                continue
            if (html := _is_html(body, value, version)) is not None:
                (htmls if html else texts).append(value)
    if text := next((text for text in texts if text.strip()), None):
        return text
    return await html_to_text(htmls[0]) if htmls else ""


def _is_html(entry: dict[str, Any], value: str, version: Version) -> bool | None:
    """Whether a 2.x/3.x text entry's value is HTML (or XML), by its content type; None: neither it nor plain
    text (an image's)."""
    own, other = CONTENT_TYPE.spellings(version)  # the other version's name too: providers mix them
    content_type = entry.get(own) or entry.get(other)
    if content_type is None:  # "up to the provider": markup says HTML
        return value.lstrip().startswith("<")
    if content_type.startswith("text/plain"):
        return False
    return True if "html" in content_type or "xml" in content_type else None


def _headline(item: dict[str, Any], version: Version) -> str | None:
    if version == "1.6":
        named = [value for key, value in item.items() if key.startswith("headline_") and isinstance(value, str)]
        return _string(item.get("headline")) or item.get("headline_main") or (named[0] if named else None)
    headlines = [h for h in item.get("headlines") or [] if isinstance(h, dict) and isinstance(h.get("value"), str)]
    main = [h for h in headlines if h.get("role") == "main"] or headlines
    return main[0]["value"] if main else None


async def html_to_text(html: str) -> str:
    """Text of an HTML body, one line per paragraph, converted in a worker thread; 413 over the bound."""
    for elements, _ in enumerate(_ELEMENT.finditer(html), start=1):
        if elements > MAX_HTML_ELEMENTS:
            raise ArticleTooLong(
                f"the HTML body has more than {MAX_HTML_ELEMENTS:,} elements, more than this service converts; "
                "send body text, or a shorter body"
            )
    return await anyio.to_thread.run_sync(_html_to_text, html)


def _html_to_text(html: str) -> str:
    html = _XML_DECLARATION.sub("", html.strip(), count=1)
    if not html:
        return ""
    try:
        tree = document_fromstring(html, parser=_PARSER)
    except ParserError:
        tree = document_fromstring("<pre>" + html + "</pre>", parser=_PARSER)
    try:
        text = inscriptis.Inscriptis(tree, ParserConfig()).get_text()
    except RecursionError:  # inscriptis recurses per level: past ~900, the text without its layout
        text = _flat_text(tree)
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)  # one line per paragraph: what grounding expects


def _flat_text(tree: Any) -> str:
    """The text of a tree by iteration, not recursion: a line break around each block element."""
    for dropped in list(tree.iter("script", "style", "template")):
        dropped.drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    return "".join(tree.itertext())


def _iso_date(value: object) -> str | None:
    """ninjs dates are ISO 8601 datetimes; anything else is left out rather than refused."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def require_uri(item: dict[str, Any]) -> None:
    """Every ninjs version requires `uri`: an enrichment of an item without one could not be valid."""
    if not (isinstance(item.get("uri"), str) and item["uri"].strip()):
        raise InvalidNinjs("the item has no uri, which every ninjs version requires: send the item's uri")


def enrichment(
    item: dict[str, Any], summary: SummaryResponse, text: str, schema_url: str, target: Version | None = None
) -> dict[str, Any]:
    """The item as sent plus what it lacks (see the module docstring); `schema_url` is where our extension
    schema is served. With a `target` version other than the item's, the item is converted to it first
    (service.adapters.ninjs_versions) and enriched in that version."""
    enriched, version, conversion = in_version(item, target)
    warnings: list[str] = list(conversion.pop("warnings", []))
    for participant in summary.participants:
        if (row := _LISTS.get(participant.kind.value)) is None:
            continue
        entries = enriched.setdefault(row.called(version), [])
        if not isinstance(entries, list):
            continue  # not ninjs; left as sent
        forms = {form.casefold() for form in [participant.name, *participant.aliases]}
        if not any(isinstance(entry, dict) and str(entry.get("name", "")).casefold() in forms for entry in entries):
            entries.append({"name": participant.name, "rel": ABOUT if participant.about else MENTIONS})
    _add_subjects(enriched, version, summary.subjects)
    warnings += _describe(enriched, version, summary.summary)
    warnings += _declare(enriched, version, schema_url)
    prop = EXTENSION_PROPERTY[version]
    extension = {"text": text, **summary.model_dump(mode="json"), **_carried(enriched.get(prop))}
    if conversion:  # this conversion's, after any earlier one's
        extension["converted_from"] = conversion["converted_from"]
        if "unconverted" in conversion:
            extension["unconverted"] = {**extension.get("unconverted", {}), **conversion["unconverted"]}
    extension["meta"]["warnings"] = [*extension["meta"]["warnings"], *warnings]
    enriched[prop] = json.dumps(extension, ensure_ascii=False) if version == "1.6" else extension
    return enriched


def in_version(item: dict[str, Any], target: Version | None) -> tuple[dict[str, Any], Version, dict[str, Any]]:
    """The item in the `target` version (a copy), that version, and for our extension what the conversion
    could not carry over (`converted_from`, `unconverted`: JSON pointers in the item as sent) with its
    `warnings`; nothing of that when the item is already in that version."""
    source = version_of(item)
    if target is None or target == source:
        return copy.deepcopy(item), source, {}
    converted, lost = convert(item, source, target)
    declared = (item.get("standard") or item.get("$standard") or {}).get("version")
    origin = declared if isinstance(declared, str) else {"1.6": "1.6", "2": "2.x", "3": "3.x"}[source]
    conversion: dict[str, Any] = {"converted_from": origin}
    warning = f"converted from ninjs {origin} to {WRITTEN[target]}"
    if lost:
        conversion["unconverted"] = lost
        named = ", ".join(list(lost)[:10]) + (f" and {len(lost) - 10} more" if len(lost) > 10 else "")
        warning += (
            f"; {len(lost)} field(s) have no counterpart in {WRITTEN[target]} and are in "
            f"{EXTENSION_PROPERTY[target]}.unconverted: {named}"
        )
    conversion["warnings"] = [warning]
    return converted, target, conversion


def _add_subjects(enriched: dict[str, Any], version: Version, subjects: list[Subject]) -> None:
    """Our subjects in `subject[]` (1.6: `{name, rel, scheme, code}`) or `subjects[]` (2.x/3.x: `{name, rel,
    uri}`, as AAP's item among IPTC's examples), `rel` "about", relevance and confidence in percent. One the
    item is filed under already is not added again, nor one broader than a subject it has: its entries are
    read as Media Topics (a QCode, a URI) or old IPTC Subject Codes (NTB's `literal` "04011000", TT's), which
    the vocabulary maps by exactMatch. An entry it cannot read (a code of another scheme, an unknown QCode)
    is kept as sent."""
    if not subjects or not isinstance(entries := enriched.setdefault(SUBJECTS.called(version), []), list):
        return
    topics = media_topics()
    filed = [concept for entry in entries if (concept := _filed_under(entry, version)) is not None]
    covered = {c.qcode for c in filed} | {broader.qcode for c in filed for broader in topics.chain(c)}
    for subject in subjects:
        if subject.qcode in covered:
            continue
        covered.add(subject.qcode)
        percent = {"relevance": round(subject.relevance * 100), "confidence": round(subject.confidence * 100)}
        if version == "1.6":
            code = {"scheme": MEDTOP_SCHEME, "code": subject.qcode.removeprefix("medtop:")}
        else:
            code = {"uri": subject.uri}
        entries.append({"name": subject.name, "rel": ABOUT, **code, **percent})


def _filed_under(entry: object, version: Version) -> Concept | None:
    """The Media Topic an item's subject entry names, by its code (1.6: scheme and code joined, or the code
    alone), its `uri`, or its `literal`; None when it names none the vocabulary knows."""
    if not isinstance(entry, dict):
        return None
    codes: list[object] = [entry.get("uri"), entry.get("literal")]
    if version == "1.6":
        code, scheme = entry.get("code"), entry.get("scheme")
        codes = [(scheme if isinstance(scheme, str) else "") + code, code] if isinstance(code, str) else []
    topics = media_topics()
    return next((concept for code in codes if isinstance(code, str) and (concept := topics.get(code))), None)


def _carried(previous: object) -> dict[str, Any]:
    """What an earlier conversion kept in our extension: enriching again must not lose it."""
    if isinstance(previous, str):
        try:
            previous = json.loads(previous)
        except ValueError:
            return {}
    if not isinstance(previous, dict):
        return {}
    return {key: previous[key] for key in ("converted_from", "unconverted") if key in previous}


def _describe(enriched: dict[str, Any], version: Version, summary: str) -> list[str]:
    """The summary as the item's description, unless it has one: then it is only in the extension."""
    ours = EXTENSION_PROPERTY[version]
    if summary in _descriptions(enriched, version):
        return []  # already there, maybe under another version's name (a converted enrichment)
    if version == "1.6":
        if "description_text" not in enriched:
            enriched["description_text"] = summary
            return []
        return [f"the item's description_text was kept; the summary is in {ours} (summary)"]
    descriptions = enriched.setdefault("descriptions", [])
    if not isinstance(descriptions, list):
        return [f"the item's descriptions are not a list: kept; the summary is in {ours}.summary"]
    if any(isinstance(entry, dict) and entry.get("role") == "summary" for entry in descriptions):
        return [f"the item's description with role 'summary' was kept; the summary is in {ours}.summary"]
    descriptions.append({"role": "summary", CONTENT_TYPE.called(version): "text/plain", "value": summary})
    return []


def _descriptions(item: dict[str, Any], version: Version) -> list[object]:
    if version == "1.6":
        return [value for key, value in item.items() if key.startswith("description_")]
    entries = item.get("descriptions")
    return [entry.get("value") for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _declare(enriched: dict[str, Any], version: Version, schema_url: str) -> list[str]:
    """Name our extension schema in `standard` (1.6: `$standard`), the way IPTC's guidelines say."""
    key = STANDARD.called(version)
    schema = f"{schema_url}#/$defs/ninjs-{version}"
    found = enriched.get(key)
    before: dict[str, Any] = found if isinstance(found, dict) else {}
    declared = before.get("version")
    same_major = isinstance(declared, str) and (declared.split(".")[0] == version.split(".")[0])
    enriched[key] = {
        "name": "ninjs",
        "version": declared if same_major else WRITTEN[version],
        "schema": schema,
    }
    previous = before.get("schema")
    if previous and previous != schema:
        return [
            f"the item's {key} named the schema {previous}; it now names ours, which extends {IPTC_SCHEMAS[version]}"
        ]
    return []
