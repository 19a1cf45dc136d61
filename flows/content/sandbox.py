"""The one sandbox for templates people write: content pages (flows/content/templates.py) and breach letters
and notices (automation/breach/drafts.py).

Jinja2's SandboxedEnvironment stops a template from reaching Python's internals; what it lets through is
closed here:
- **files**: templates load only through `FolderLoader`: no `include` / `import` / `extends` outside the
  template's own folder (`..`, absolute paths), no dotfile (`.env`, `.git/...`), no link whose target leaves
  the folder, nothing that is not a regular UTF-8 text file of bounded size;
- **time**: every loop iteration, call and filter counts against a budget of steps and of wall time per
  render (nested `range(100000)` loops stop in about a second instead of hanging `validate`);
- **size**: `*`, `%`, `**`, string methods, the filters that multiply text (`replace`, `center`, `indent`,
  `format`, `join`, `wordwrap`) and `~` are bounded before they run or right after, and so is the rendered
  text, so a template cannot fill the memory either.
Whatever is refused raises `SecurityError` (a `BudgetExceeded` for the budget), which the callers turn into one
line naming the store and the template.
"""

from __future__ import annotations

import functools
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ecom_privacy.clock import SYSTEM_CLOCK, Clock

#: a template file larger than this is not a content page or a letter
MAX_TEMPLATE_BYTES = 2_000_000
#: the longest text (or list) a render may build, and its output: a policy page is well under 1 MB
MAX_RENDER_CHARS = 5_000_000
#: loop iterations, calls and filters of one render, and its wall time
MAX_RENDER_STEPS = 2_000_000
MAX_RENDER_SECONDS = 10.0
#: the largest exponent of `**`
MAX_EXPONENT = 64
#: a width or precision in a format specification (`'%9999999s'`, `'{:>9999999}'`) longer than this
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(?:\*|\d{7,})|%[-+ #0]*\d*\.(?:\*|\d{7,})|\{[^{}]*?[<>=^]?\d{7,}")


class BudgetExceeded(SecurityError):
    """A render took more steps, time or memory than a content template may."""


class TemplateRefused(SecurityError):
    """A template name that points outside the template's folder, to a dotfile, or through a leaving link."""


class FolderLoader(jinja2.BaseLoader):
    """Templates of one folder only (and its subfolders): see the module docstring."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def path_of(self, name: str) -> Path:
        """The file `name` stands for, or TemplateRefused saying why not."""
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise TemplateRefused(f"{name!r} is outside the template's folder {self.folder}: templates may only "
                                  f"include, import or extend templates of their own folder")
        if any(part.startswith(".") for part in parts):
            raise TemplateRefused(f"{name!r} is a hidden file (a name starting with '.', like .env): templates may "
                                  f"not include, import or extend it")
        path = self.folder.joinpath(*parts)
        resolved = path.resolve()
        if resolved != self.folder and self.folder not in resolved.parents:
            raise TemplateRefused(f"{name!r} is a link to {resolved}, outside the template's folder "
                                  f"{self.folder}: templates may not follow it")
        return path

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.path_of(template)
        try:
            info = path.stat()
        except OSError:
            raise jinja2.TemplateNotFound(template) from None
        if not stat.S_ISREG(info.st_mode):
            raise jinja2.TemplateNotFound(template)
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateRefused(f"{template!r} is {info.st_size} bytes, more than {MAX_TEMPLATE_BYTES}: not a "
                                  f"template; check the name")
        try:
            source = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRefused(f"{template!r} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
        if "\x00" in source:
            raise TemplateRefused(f"{template!r} is a binary file, not a template")
        mtime = info.st_mtime
        return source, str(path), lambda: _mtime(path) == mtime

    def list_templates(self) -> list[str]:
        found = []
        for path in sorted(self.folder.rglob("*")):
            relative = path.relative_to(self.folder)
            if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                continue
            try:
                self.path_of(relative.as_posix())
            except TemplateRefused:
                continue
            found.append(relative.as_posix())
        return found


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def _too_big(what: str, size: int) -> None:
    if size > MAX_RENDER_CHARS:
        raise BudgetExceeded(f"{what} would be {size} characters or items long, more than {MAX_RENDER_CHARS}")


class _BudgetedCode(CodeGenerator):
    """Code generation with `~` (string concatenation) checked for size like every other operation."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_size(")
        super().visit_Concat(node, frame)
        self.write(")")


def _estimate_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How long the result of the text-multiplying filters would be, before they run (0: not one of them)."""
    value = args[0] if args else ""
    text = value if isinstance(value, str) else ""
    width = next((arg for arg in (*args[1:], *kwargs.values()) if isinstance(arg, int)), 0)
    if name == "replace" and len(args) >= 3:
        old, new = str(args[1]), str(args[2])
        count = text.count(old) if old else len(text) + 1
        return len(text) + count * max(0, len(new) - len(old))
    if name in ("center", "indent"):
        return len(text) + abs(width) * (text.count("\n") + 1)
    if name == "join":
        items = list(value) if isinstance(value, list | tuple) else []
        separator = str(args[1]) if len(args) > 1 else ""
        return sum(_sized(item) for item in items) + len(separator) * len(items)
    if name == "format" and _WIDE_FORMAT.search(text):
        return MAX_RENDER_CHARS + 1
    return 0


class BudgetedSandbox(SandboxedEnvironment):
    """The sandbox with the loader, time and size limits of the module docstring. Render inside `budget()`."""

    intercepted_binops = frozenset({"*", "**", "%"})
    code_generator_class = _BudgetedCode

    def __init__(self, clock: Clock = SYSTEM_CLOCK, **options: Any) -> None:
        super().__init__(**options)
        #: what the time budget is measured on (monotonic time; a test may hand a fixed clock)
        self.clock = clock
        self._steps = 0
        self._deadline = float("inf")
        self.filters = {name: self._guard_filter(name, function) for name, function in self.filters.items()}

    # -- the budget ------------------------------------------------------------------------------------------
    def budget(self) -> _Budget:
        """`with environment.budget(): template.render(...)`: a fresh count of steps and a deadline."""
        return _Budget(self)

    def step(self, count: int = 1) -> None:
        self._steps += count
        if self._steps > MAX_RENDER_STEPS:
            raise BudgetExceeded(f"rendering took more than {MAX_RENDER_STEPS} steps (loop iterations, calls and "
                                 f"filters): a content template has no use for loops that large")
        if self._steps % 1000 == 0 and self.clock.monotonic() > self._deadline:
            raise BudgetExceeded(f"rendering took more than {MAX_RENDER_SECONDS:g} seconds")

    def budget_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Every `{% for %}` iterates through here (see `_parse`)."""
        if isinstance(iterable, jinja2.Undefined):
            yield from iterable
            return
        for item in iterable:
            self.step()
            yield item

    def checked_size(self, value: Any) -> Any:
        _too_big("the text", _sized(value))
        return value

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        for loop in template.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("budget_iter"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
        return template

    # -- what the sandbox lets through, bounded --------------------------------------------------------------
    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.step()
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise BudgetExceeded(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                if isinstance(count, int) and not isinstance(count, bool):
                    _too_big("the result of *", _sized(sized) * count)
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise BudgetExceeded("a format width or precision of a million or more, or one given with *")
        return self.checked_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.step()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):  # str methods: ljust, center, zfill, replace, join, format, ...
            numbers = [arg for arg in (*args, *kwargs.values()) if isinstance(arg, int)]
            _too_big(f"the result of {getattr(__obj, '__name__', 'a string method')}",
                     len(owner) + max([0, *numbers]))
            if getattr(__obj, "__name__", "") == "replace" and len(args) >= 2:
                _too_big("the result of replace", _estimate_filter("replace", (owner, *args), {}))
            if getattr(__obj, "__name__", "") == "join" and args and isinstance(args[0], list | tuple):
                _too_big("the result of join", _estimate_filter("join", (args[0], owner), {}))
            if getattr(__obj, "__name__", "") in ("format", "format_map") and _WIDE_FORMAT.search(owner):
                raise BudgetExceeded("a format width or precision of a million or more")
        return __self.checked_size(super().call(__context, __obj, *args, **kwargs))

    def _guard_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.step()
            plain = [arg for arg in args if not isinstance(arg, jinja2.runtime.Context | jinja2.nodes.EvalContext
                                                           | jinja2.Environment)]
            _too_big(f"the result of the filter {name}", _estimate_filter(name, tuple(plain), kwargs))
            return self.checked_size(function(*args, **kwargs))

        return guarded


class _Budget:
    def __init__(self, environment: BudgetedSandbox) -> None:
        self.environment = environment

    def __enter__(self) -> BudgetedSandbox:
        self.environment._steps = 0
        self.environment._deadline = self.environment.clock.monotonic() + MAX_RENDER_SECONDS
        return self.environment

    def __exit__(self, *exc: object) -> None:
        self.environment._deadline = float("inf")


def render_bounded(environment: BudgetedSandbox, chunks: Iterable[str]) -> str:
    """Join rendered chunks, refusing output longer than MAX_RENDER_CHARS as it grows."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        _too_big("the rendered text", size)
        parts.append(chunk)
    return "".join(parts)
