"""What every answer must carry, and what no page may contain, under the portal's CSP."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

# Script types a browser runs; a data block (application/json, ...) is not code.
_EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}
# Elements whose URL attribute the CSP restricts to the portal's own origin.
_FETCHED = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("form", "action"),
    ("audio", "src"),
    ("video", "src"),
    ("source", "src"),
}
SAME_ORIGIN_HOSTS = {"", "testserver"}


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def header_problems(response, *, inline_styles_allowed: bool = False) -> list[str]:
    """Each security header that is missing or weaker than the portal's policy."""
    problems = []
    policy = response.get("Content-Security-Policy")
    if policy is None:
        return ["no Content-Security-Policy", *_other_header_problems(response)]
    directives = csp_directives(policy)
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    for name, sources in expected.items():
        if directives.get(name) != sources:
            problems.append(f"CSP {name} is {directives.get(name)}, not {sources}")
    for name in ("script-src", "style-src"):
        unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(directives.get(name, []))
        if name == "style-src" and inline_styles_allowed:
            unsafe.discard("'unsafe-inline'")
        if name not in directives or unsafe:
            problems.append(f"CSP {name} is {directives.get(name)}")
    return problems + _other_header_problems(response)


def _other_header_problems(response) -> list[str]:
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    return [
        f"{header} is {response.get(header)!r}, not {value!r}"
        for header, value in expected.items()
        if response.get(header) != value
    ]


class _InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}> attribute")
            elif name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            is_code = (attributes.get("type") or "").lower() in _EXECUTABLE_SCRIPT_TYPES
            self._in_inline_script = is_code and not attributes.get("src")
        for element, attribute in _FETCHED:
            url = attributes.get(attribute) if tag == element else None
            if url and urlsplit(url).scheme not in ("", "http", "https", "data"):
                self.problems.append(f"<{tag} {attribute}={url!r}> unexpected scheme")
            elif url and urlsplit(url).hostname not in (SAME_ORIGIN_HOSTS | {None}):
                self.problems.append(f"<{tag} {attribute}={url!r}> from another origin")
            elif url and url.startswith("data:") and tag != "img":
                self.problems.append(f"<{tag} {attribute}=data:...> outside an image")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code_problems(html: str) -> list[str]:
    """Inline scripts, handlers and styles, and foreign resources: what the CSP would block."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def answer_problems(response, *, inline_styles_allowed: bool = False) -> list[str]:
    """Header problems of any answer, and inline code problems of an HTML page."""
    problems = header_problems(response, inline_styles_allowed=inline_styles_allowed)
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        problems += inline_code_problems(response.content.decode())
    return problems
