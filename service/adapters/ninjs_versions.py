"""A ninjs item converted between 1.6, 2.x and 3.x, by one table of what each version calls each field.

The table follows IPTC's own schemas (tests/fixtures/iptc-ninjs/specification) and its guidelines
("Differences between ninjs 1.x, 2.x and 3.x"): 1.x `body_*` / `headline_*` / `description_*` properties
are 2.x/3.x `bodies` / `headlines` / `descriptions` entries with a `role` (the part after the prefix);
1.x singular lists are plural in 2.x (`person` → `people`, `genre` → `genres`...); 3.x writes every name in
camelCase (`versioncreated` → `versionCreated`, `contenttype` → `contentType`, `embargoed` →
`embargoedUntil`); 1.x `renditions`, `associations` and `altids` are objects keyed by name, 2.x/3.x arrays;
1.x `scheme` + `code` is 2.x/3.x `uri` (a code that is a URI, or scheme and code joined, as IPTC's own
examples convert them) or else `literal`.

Nothing is dropped silently: a field with no counterpart in the target version (1.6 `mimetype`, 3.x
`eventDetails`, a 3.x `type` of `event`, a 2.x `ticker` in 3.x, an urgency 3.x cannot hold...) is returned
in `lost`, by its JSON pointer in the item as sent, with its value; the enrichment puts those in our
extension (`unconverted`) and names them in `meta.warnings`.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from schemas.ninjs import EXTENSION_PROPERTY, IPTC_SCHEMAS
from service.errors import InvalidNinjs

Version = Literal["1.6", "2", "3"]  # the majors service.adapters.ninjs reads
# What a client may ask for, and the version we write for it: the schemas the tests validate with.
REQUESTABLE: dict[str, Version] = {"1.6": "1.6", "2.2": "2", "3.1": "3"}
WRITTEN: dict[Version, str] = {major: asked for asked, major in REQUESTABLE.items()}
_COLUMN: dict[Version, int] = {"1.6": 0, "2": 1, "3": 2}
_NAME = re.compile(r"[^A-Za-z0-9_]")
# A code that is a URI (IPTC's examples: Wikidata's); a QCode such as `medtop:20000638` is a literal.
_ABSOLUTE_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://|urn:)\S+$", re.IGNORECASE)
_FEATURES = frozenset({"Feature", "FeatureCollection"})
_GEOJSON_TYPES = (
    frozenset(("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"))
    | _FEATURES
)

Lost = dict[str, Any]
_DROP = object()  # a value the target version cannot hold (recorded in `lost`)
Shape = Callable[[Any, Version, Version, str, Lost], Any]


def target_version(asked: str | None) -> Version | None:
    """The major to write for the `version` a client asked for; None when it asked for none."""
    if asked is None:
        return None
    if asked not in REQUESTABLE:
        raise InvalidNinjs(
            f"version {asked[:20]!r} is not one this service writes: ask for 1.6, 2.2 or 3.1 "
            "(or leave it out for the version of the item sent)"
        )
    return REQUESTABLE[asked]


def convert(item: dict[str, Any], source: Version, target: Version) -> tuple[dict[str, Any], Lost]:
    """`item` (of version `source`) in another version `target`, and what `target` has no place for."""
    lost: Lost = {}
    converted = _ITEM(item, source, target, "", lost)
    return (converted if isinstance(converted, dict) else {}), lost


def _leaf(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    return value


@dataclass(frozen=True)
class F:
    """One field: its name in 1.6, 2.x and 3.x (None: the version has no such field), and its shape."""

    v16: str | None
    v2: str | None
    v3: str | None
    shape: Shape = _leaf

    def name(self, version: Version) -> str | None:
        return (self.v16, self.v2, self.v3)[_COLUMN[version]]

    def called(self, version: Version) -> str:
        """Its name in `version`, for code that reads or writes the field by name (the version has it)."""
        if (name := self.name(version)) is None:
            raise LookupError(f"ninjs {WRITTEN[version]} has no counterpart of {(self.v16, self.v2, self.v3)}")
        return name

    def spellings(self, version: Version) -> tuple[str, ...]:
        """Its names in every version that has it, the one of `version` first: providers mix the cases."""
        names = (self.name(version), *(self.name(other) for other in _COLUMN if other != version))
        return tuple(dict.fromkeys(name for name in names if name is not None))


def same(name: str, shape: Shape = _leaf) -> F:
    return F(name, name, name, shape)


@dataclass(frozen=True)
class Obj:
    """An object of known fields. `hook` handles what one table row cannot (1.6's patterns, codes)."""

    fields: tuple[F, ...]
    hook: Callable[[dict[str, Any], dict[str, Any], Version, Version, str, Lost], None] | None = None
    _by_name: dict[Version, dict[str, F]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for version in _COLUMN:
            self._by_name[version] = {n: f for f in self.fields if (n := f.name(version)) is not None}

    def names(self, version: Version) -> frozenset[str]:
        return frozenset(self._by_name[version])

    def __call__(self, value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
        if _wrong(value, dict, path, lost):
            return _DROP
        rest, out = dict(value), dict[str, Any]()
        if self.hook is not None:
            self.hook(rest, out, source, target, path, lost)  # takes what it converts out of `rest`
        for key, part in rest.items():
            here = f"{path}/{_pointer(key)}"
            row = self._by_name[source].get(key)
            if row is None or (name := row.name(target)) is None:
                lost[here] = part
                continue
            if (converted := row.shape(part, source, target, here, lost)) is not _DROP:
                out[name] = converted
        return out


def each(shape: Shape) -> Shape:
    def convert_each(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
        if _wrong(value, list, path, lost):
            return _DROP
        parts = [shape(part, source, target, f"{path}/{i}", lost) for i, part in enumerate(value)]
        return [part for part in parts if part is not _DROP]

    return convert_each


def _wrong(value: Any, kind: type, path: str, lost: Lost) -> bool:
    """Not the JSON type the field has: kept in `lost`, not converted."""
    if isinstance(value, kind):
        return False
    lost[path] = value
    return True


def _pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# Values the versions constrain differently.


def _integer(low: int | None = None, high: int | None = None) -> Shape:
    """3.x holds an integer (in a range) where 1.6 and 2.x take any number."""

    def convert_number(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
        if target != "3" or isinstance(value, bool) or not isinstance(value, int | float):
            return value
        if float(value).is_integer() and (low is None or low <= value) and (high is None or value <= high):
            return int(value)
        lost[path] = value
        return _DROP

    return convert_number


def _news_type(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    if target != "3" and value in ("event", "planning"):  # 3.x's planning items
        lost[path] = value
        return _DROP
    return value


def _representation(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    words = ("complete", "incomplete") if target == "1.6" else ("full", "partial")
    other = ("full", "partial") if target == "1.6" else ("complete", "incomplete")
    return words[other.index(value)] if value in other else value


def _standard(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    """The declaration names the version written; a schema other than IPTC's describes the old version."""
    if _wrong(value, dict, path, lost):
        return _DROP
    declared: dict[str, Any] = {"name": value.get("name", "ninjs"), "version": WRITTEN[target]}
    schema = value.get("schema")
    if isinstance(schema, str) and "iptc.org/std/ninjs/ninjs-schema_" in schema:
        declared["schema"] = IPTC_SCHEMAS[target]
    elif schema is not None:
        lost[f"{path}/schema"] = schema
    return declared


def _extension(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    """Our own data: JSON text in 1.6, an object in 2.x/3.x (schemas.ninjs)."""
    if target == "1.6":
        return json.dumps(value, ensure_ascii=False)
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        lost[path] = value
        return _DROP


# The table. The rows named in capitals are the fields code also reads or writes by name (the hooks below,
# service.adapters.ninjs): each is spelled here once, and `called(version)` gives that version's name.

CONTENT_TYPE = F(None, "contenttype", "contentType")
CHAR_COUNT = F(None, "charcount", "charCount", _integer())
WORD_COUNT = F(None, "wordcount", "wordCount", _integer())
GEOJSON = F(None, "geojson", "geoJSON")
FIRST_CREATED = F("firstcreated", "firstcreated", "firstCreated")
VERSION_CREATED = F("versioncreated", "versioncreated", "versionCreated")
_COUNTS = {"charcount": CHAR_COUNT, "wordcount": WORD_COUNT}  # 1.6 counts the article at the root

_ADDRESS = Obj(
    (same("lines"), same("locality"), same("area"), F("postalcode", "postalcode", "postalCode"), same("country"))
)
_CONTACT = Obj((same("type"), same("role"), same("lang"), same("name"), same("value"), same("address", _ADDRESS)))
_CONTACTS = F("contactinfo", "contactinfo", "contactInfo", each(_CONTACT))
_SYMBOL = Obj(
    (F("ticker", "ticker", None), same("exchange"), F("symboltype", "symboltype", "symbolType"), same("symbol"))
)


def _coded(rest: dict[str, Any], out: dict[str, Any], source: Version, target: Version, path: str, lost: Lost) -> None:
    """1.6 `scheme` + `code` ↔ 2.x/3.x `uri` (a code that is a URI, or scheme and code joined) or `literal`."""
    if source == "1.6":
        scheme, code = rest.pop("scheme", None), rest.pop("code", None)
        if isinstance(code, str) and (scheme is None or isinstance(scheme, str)):
            joined = (scheme or "") + code
            out["uri" if _ABSOLUTE_URI.match(joined) else "literal"] = joined
        elif code is not None or scheme is not None:
            lost.update({f"{path}/{k}": v for k, v in (("scheme", scheme), ("code", code)) if v is not None})
    elif target == "1.6":
        uri, literal = rest.pop("uri", None), rest.pop("literal", None)
        if (code := uri if uri is not None else literal) is not None:
            out["code"] = code
        if uri is not None and literal is not None:
            lost[f"{path}/literal"] = literal


def _geometry(
    rest: dict[str, Any], out: dict[str, Any], source: Version, target: Version, path: str, lost: Lost
) -> None:
    """1.6 `geometry_<type>` ↔ 2.x `geojson` / 3.x `geoJSON` (GeoJSON since 2.0)."""
    _coded(rest, out, source, target, path, lost)
    if source == "1.6":
        shapes = {key: rest.pop(key) for key in [key for key in rest if key.startswith("geometry_")]}
        geojson = {
            key: shape
            for key, shape in shapes.items()
            if isinstance(shape, dict) and shape.get("type") in _GEOJSON_TYPES
        }
        # 2.x and 3.x hold one GeoJSON object: several shapes are one collection of geometries, without Features.
        kept = geojson if len(geojson) == 1 else {k: v for k, v in geojson.items() if v["type"] not in _FEATURES}
        for key in [key for key in shapes if key not in kept]:
            lost[f"{path}/{_pointer(key)}"] = shapes[key]
        if len(kept) == 1:
            out[GEOJSON.called(target)] = next(iter(kept.values()))
        elif kept:
            out[GEOJSON.called(target)] = {"type": "GeometryCollection", "geometries": list(kept.values())}
    elif target == "1.6":
        shape = rest.pop(GEOJSON.called(source), None)
        if isinstance(shape, dict) and isinstance(shape.get("type"), str):
            out["geometry_" + _NAME.sub("_", shape["type"].lower())] = shape
        elif shape is not None:
            lost[f"{path}/{GEOJSON.called(source)}"] = shape


_CODE = (F(None, "uri", "uri"), F(None, "literal", "literal"))  # 1.6: `scheme` + `code`, by `_coded`
_REL = (same("name"), same("rel"), *_CODE)
_PERSON = Obj((*_REL, _CONTACTS), _coded)
_ORGANISATION = Obj((*_REL, same("symbols", each(_SYMBOL)), _CONTACTS), _coded)
_PLACE = Obj((*_REL, _CONTACTS, GEOJSON), _geometry)
_SUBJECT = Obj((*_REL, same("creator"), same("relevance"), same("confidence")), _coded)
_EVENT = Obj((*_REL, F(None, None, "id")), _coded)
_THING = Obj(_REL, _coded)
PEOPLE = F("person", "people", "people", each(_PERSON))
ORGANISATIONS = F("organisation", "organisations", "organisations", each(_ORGANISATION))
PLACES = F("place", "places", "places", each(_PLACE))
SUBJECTS = F("subject", "subjects", "subjects", each(_SUBJECT))
_INFOSOURCE = Obj((same("name"), F("rel", "role", "role"), *_CODE, _CONTACTS), _coded)  # 2.0 named its rel `role`
_GENRE = Obj((same("name"), *_CODE), _coded)
_RIGHTS = Obj(
    (
        F("langid", "langid", "langId"),
        F("linkedrights", "linkedrights", "linkedRights"),
        F("encodedrights", "encodedrights", "encodedRights"),
    )
)
_SOURCE_TYPE = Obj((same("name"), same("uri"), same("literal")))
_RENDITION = Obj(
    (
        same("name"),  # 1.6: the key of the renditions object
        same("href"),
        F("mimetype", "contenttype", "contentType"),
        same("title"),
        same("height", _integer()),
        same("width", _integer()),
        F("sizeinbytes", "sizeinbytes", "sizeInBytes", _integer()),
        same("duration"),
        same("format"),
        *(F(None, None, name) for name in ("aspectRatio", "videoCodec", "frameRate", "poi", "transportProtocol")),
        *(F(None, None, name) for name in ("scanType", "bitrate")),
    )
)
_TEXT = Obj((same("role"), CONTENT_TYPE, same("value")))
_BODY = Obj((same("role"), CONTENT_TYPE, CHAR_COUNT, WORD_COUNT, same("value")))
_ALTID = Obj((same("role"), same("value")))
_TRUST = Obj((F(None, "role", "role"), same("title"), same("href")))


def _keyed(shape: Shape, key: str = "name", value: str | None = None) -> Shape:
    """1.6's objects keyed by name (renditions, associations; altids, whose values are the ids) ↔ 2.x/3.x
    arrays with that name in each entry (`name`; altids: `role`, the id in `value`)."""

    def convert_keyed(found: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
        if source == "1.6":
            if _wrong(found, dict, path, lost):
                return _DROP
            entries = []
            for name, part in found.items():
                here = f"{path}/{_pointer(name)}"
                if _wrong(part, dict if value is None else str, here, lost):
                    continue
                entry = {key: name, **part} if value is None else {key: name, value: part}
                entries.append(shape(entry, source, target, here, lost))
            return [entry for entry in entries if entry is not _DROP]
        if target != "1.6":
            return each(shape)(found, source, target, path, lost)
        if _wrong(found, list, path, lost):
            return _DROP
        keyed: dict[str, Any] = {}
        for i, entry in enumerate(found):
            converted = shape(entry, source, target, f"{path}/{i}", lost)
            name = converted.pop(key, None) if isinstance(converted, dict) else None
            if converted is _DROP:
                continue
            if not isinstance(name, str) or not name or name in keyed:
                lost[f"{path}/{i}"] = entry
                continue
            keyed[name if value else _NAME.sub("_", name)] = converted.get(value) if value else converted
        return keyed

    return convert_keyed


def _trust(rest: dict[str, Any], out: dict[str, Any], source: Version, target: Version, path: str, lost: Lost) -> None:
    """1.6 trustindicator `scheme` + `code` ↔ 2.x/3.x `role` (a URI such as IPTC's trustindicator codes)."""
    if source == "1.6":
        scheme, code = rest.pop("scheme", None), rest.pop("code", None)
        if isinstance(code, str):
            out["role"] = (scheme if isinstance(scheme, str) else "") + code
        elif code is not None or scheme is not None:
            lost.update({f"{path}/{k}": v for k, v in (("scheme", scheme), ("code", code)) if v is not None})
    elif target == "1.6" and (role := rest.pop("role", None)) is not None:
        out["code"] = role


_TRUST_16 = Obj(_TRUST.fields, _trust)
STANDARD = F("$standard", "standard", "standard", _standard)

# 1.6 body_*/headline_*/description_* name the format or purpose after the prefix: the type it implies.
_SUFFIX_TYPES = (
    ("xhtml", "application/xhtml+xml"),
    ("richtext", "application/xhtml+xml"),
    ("html", "text/html"),
    ("nitf", "application/nitf+xml"),
    ("xml", "application/xml"),
)


def _implied_type(suffix: str) -> str:
    return next((kind for end, kind in _SUFFIX_TYPES if suffix.lower().endswith(end)), "text/plain")


def _type_suffix(content_type: str) -> str | None:
    kind = content_type.lower()
    if kind.startswith("text/plain"):
        return "text"
    return next((end for end in ("xhtml", "html", "nitf", "xml") if end in kind), None)


def _texts(rest: dict[str, Any], out: dict[str, Any], source: Version, target: Version, path: str, lost: Lost) -> None:
    """The root's 1.6 patterns (`headline`, `headline_*`, `body_*`, `description_*`; `charcount` and
    `wordcount`, 2.x/3.x keep them on the body) ↔ 2.x/3.x `headlines`, `bodies`, `descriptions`."""
    if source == "1.6":
        _from_patterns(rest, out, target, path, lost)
    elif target == "1.6":
        _to_patterns(rest, out, source, path, lost)


def _from_patterns(rest: dict[str, Any], out: dict[str, Any], target: Version, path: str, lost: Lost) -> None:
    content_type = CONTENT_TYPE.called(target)
    lists: dict[str, list[dict[str, Any]]] = {"headlines": [], "bodies": [], "descriptions": []}
    if "headline" in rest:
        if isinstance(headline := rest.pop("headline"), str):
            lists["headlines"].append({"role": "main", "value": headline})
        else:
            lost[f"{path}/headline"] = headline
    for key in list(rest):
        prefix, _, suffix = key.partition("_")
        kind = {"headline": "headlines", "body": "bodies", "description": "descriptions"}.get(prefix)
        if kind is None or not suffix or key == EXTENSION_PROPERTY["1.6"]:
            continue
        value = rest.pop(key)
        if not isinstance(value, str):
            lost[f"{path}/{_pointer(key)}"] = value
            continue
        entry = {"role": suffix, "value": value}
        if kind != "headlines":
            entry[content_type] = _implied_type(suffix)
        lists[kind].append(entry)
    counts = {name: rest.pop(name) for name in _COUNTS if name in rest}
    if counts and lists["bodies"]:  # 1.6 counts the article: its first body in 2.x/3.x
        for name, count in counts.items():
            here = f"{path}/{name}"
            if (converted := _integer()(count, "1.6", target, here, lost)) is not _DROP:
                lists["bodies"][0][_COUNTS[name].called(target)] = converted
    else:
        lost.update({f"{path}/{name}": count for name, count in counts.items()})
    out.update({kind: entries for kind, entries in lists.items() if entries})


def _to_patterns(rest: dict[str, Any], out: dict[str, Any], source: Version, path: str, lost: Lost) -> None:
    content_type = CONTENT_TYPE.called(source)
    for kind, prefix in (("headlines", "headline"), ("bodies", "body"), ("descriptions", "description")):
        entries = rest.pop(kind, None)
        if entries is None:
            continue
        if not isinstance(entries, list):
            lost[f"{path}/{kind}"] = entries
            continue
        for i, entry in enumerate(entries):
            here = f"{path}/{kind}/{i}"
            if not (isinstance(entry, dict) and isinstance(entry.get("value"), str)):
                lost[here] = entry
                continue
            role, kind_of = entry.get("role"), entry.get(content_type)
            given = _type_suffix(kind_of) if isinstance(kind_of, str) else None
            if prefix == "headline" and role in ("main", None) and "headline" not in out:
                key = "headline"
                if kind_of not in (None, "text/plain"):
                    lost[f"{here}/{content_type}"] = kind_of
            else:
                suffix = _NAME.sub("_", role) if isinstance(role, str) and role else (given or "text")
                if given is not None and _implied_type(suffix) != _implied_type(given):
                    suffix = f"{suffix}_{given}"  # so that the name says the format, as 1.6 reads it
                key = _free(f"{prefix}_{suffix}", out)
                if prefix != "headline" and kind_of is not None and kind_of != _implied_type(suffix):
                    lost[f"{here}/{content_type}"] = kind_of
                if prefix == "headline" and kind_of not in (None, "text/plain"):
                    lost[f"{here}/{content_type}"] = kind_of
            out[key] = entry["value"]
            for count, row in _COUNTS.items():
                name = row.called(source)
                if name in entry:
                    if prefix == "body" and count not in out:
                        out[count] = entry[name]
                    else:
                        lost[f"{here}/{name}"] = entry[name]
            known = {"role", "value", content_type, "charcount", "wordcount", "charCount", "wordCount"}
            lost.update({f"{here}/{_pointer(k)}": v for k, v in entry.items() if k not in known})


def _free(key: str, taken: dict[str, Any]) -> str:
    if key not in taken and key != EXTENSION_PROPERTY["1.6"]:
        return key
    return next(f"{key}_{n}" for n in range(2, len(taken) + 3) if f"{key}_{n}" not in taken)


def _association(value: Any, source: Version, target: Version, path: str, lost: Lost) -> Any:
    """An associated item is a whole ninjs item; 2.x/3.x add its `name`, 3.x its `rel`."""
    if _wrong(value, dict, path, lost):
        return _DROP
    extra = {k: value[k] for k in ("name", "rel") if k in value and (k == "name" or target == "3")}
    if "rel" in value and target != "3":
        lost[f"{path}/rel"] = value["rel"]
    converted = _ITEM({k: v for k, v in value.items() if k not in ("name", "rel")}, source, target, path, lost)
    return {**extra, **converted} if isinstance(converted, dict) else _DROP


_ITEM = Obj(
    (
        same("uri"),
        same("type", _news_type),
        F("mimetype", None, None),
        F("representationtype", "representationtype", "representationType", _representation),
        same("profile"),
        same("version"),
        FIRST_CREATED,
        VERSION_CREATED,
        F("contentcreated", "contentcreated", "contentCreated"),
        F("embargoed", "embargoed", "embargoedUntil"),
        F("pubstatus", "pubstatus", "pubStatus"),
        same("urgency", _integer(1, 9)),
        F("copyrightholder", "copyrightholder", "copyrightHolder"),
        F("copyrightnotice", "copyrightnotice", "copyrightNotice"),
        F("usageterms", "usageterms", "usageTerms"),
        F("ednote", "ednote", "edNote"),
        same("language"),
        F(None, "descriptions", "descriptions", each(_TEXT)),
        F(None, "bodies", "bodies", each(_BODY)),
        F(None, "headlines", "headlines", each(_TEXT)),
        PEOPLE,
        ORGANISATIONS,
        PLACES,
        SUBJECTS,
        F("event", "events", "events", each(_EVENT)),
        F(None, None, "eventDetails"),
        F(None, None, "plannedCoverage"),
        F("object", "objects", "objects", each(_THING)),
        F("infosource", "infosources", "infoSources", each(_INFOSOURCE)),
        same("title"),
        F("byline", "by", "by"),
        same("slugline"),
        same("located"),
        same("renditions", _keyed(_RENDITION)),
        same("associations", _keyed(_association)),
        F("altids", "altids", "altIds", _keyed(_ALTID, "role", "value")),
        F("trustindicator", "trustindicators", "trustIndicators", each(_TRUST_16)),
        STANDARD,
        F("genre", "genres", "genres", each(_GENRE)),
        same("expires"),
        F("rightsinfo", "rightsinfo", "rightsInfo", _RIGHTS),
        F("digitalsourcetype", "digitalsourcetype", "digitalSourceType", _SOURCE_TYPE),
        F(EXTENSION_PROPERTY["1.6"], EXTENSION_PROPERTY["2"], EXTENSION_PROPERTY["3"], _extension),
    ),
    _texts,
)


def item_names(version: Version) -> frozenset[str]:
    """The names `version` gives an item's own fields (service.adapters.ninjs tells the version by them)."""
    return _ITEM.names(version)
