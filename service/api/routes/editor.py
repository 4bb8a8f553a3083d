"""The editor's desk: a static page (service/api/static/, package data) that POSTs an article to
/v1/summaries as a Server-Sent Events stream and shows each item as it is grounded. Served unguarded, like
/docs: the page holds no data, and asks for a key when the API it calls answers 401."""

from importlib.resources import files
from typing import Final

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

_STATIC = files("service.api") / "static"
_TYPES: Final = {"editor.js": "text/javascript", "editor.css": "text/css"}
# Nothing from elsewhere: the page's own script and style, and fetches to this API only.
_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@get(["/", "/editor"], include_in_schema=False, sync_to_thread=False)
def editor_page() -> Response[bytes]:
    return Response((_STATIC / "index.html").read_bytes(), media_type="text/html", headers=_HEADERS)


@get("/editor/assets/{name:str}", include_in_schema=False, sync_to_thread=False)
def editor_asset(name: FromPath[str]) -> Response[bytes]:
    if name not in _TYPES:  # the two files only: no path is read from the request
        raise NotFoundException("no such asset")
    body = (_STATIC / name).read_bytes()
    return Response(body, media_type=_TYPES[name], headers=_HEADERS)
