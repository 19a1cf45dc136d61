"""Content templates: Jinja2 HTML files whose sections are `{% block <element id> %}` blocks.

A template renders whole (privacy_policy `replace`, the CCPA page) or section by section (privacy_policy
`require` appends only the blocks of the missing elements). Values are HTML-escaped (autoescape), and a
variable the store does not define is a configuration error naming the store, the template and the
variable (StrictUndefined), never an empty gap in a published policy.

Templates are user input that ends up on a public storefront, so they render in the tool's sandbox
(flows/content/sandbox.py): Jinja2's (no attribute starting with `_`, the way out to `__globals__`, `os`,
`__builtins__`; no unsafe methods), loading only templates of the template's own folder (no `..`, no dotfile
like `.env`, no link that leaves the folder), and bounded in steps, time and size, so a template can neither
run code nor read files nor exhaust the machine. Whatever goes wrong while loading or rendering is one
ConfigError naming the store and the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from ecom_privacy.errors import ConfigError
from flows.content.sandbox import MAX_TEMPLATE_BYTES, BudgetedSandbox, FolderLoader, render_bounded

#: placeholder in a template path, replaced by the store's language: templates/privacy-policy.{locale}.html
LOCALE_PLACEHOLDER = "{locale}"
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined")


def resolve_template_path(spec: str, base_dir: Path, locale: str) -> Path:
    """`spec` with `{locale}` filled in, relative to the fleet file's folder unless absolute."""
    path = Path(spec.replace(LOCALE_PLACEHOLDER, locale)).expanduser()
    return path if path.is_absolute() else base_dir / path


@dataclass(frozen=True)
class ContentTemplate:
    path: Path
    store_id: str
    template: jinja2.Template

    @property
    def sections(self) -> list[str]:
        """The block names in the order the template defines them."""
        return list(self.template.blocks)

    def render(self, variables: Mapping[str, Any]) -> str:
        return self._guard(lambda: render_bounded(self._sandbox, self.template.generate(**variables))).strip() + "\n"

    @property
    def _sandbox(self) -> BudgetedSandbox:
        return self.template.environment  # type: ignore[return-value]

    def render_sections(self, names: Iterable[str], variables: Mapping[str, Any]) -> str:
        """Only the named blocks, in the template's order; a name without a block is a configuration error."""
        wanted = list(names)
        absent = [name for name in wanted if name not in self.template.blocks]
        if absent:
            raise ConfigError(
                f"store {self.store_id}: template {self.path} has no section for {', '.join(absent)}; add "
                f"{' '.join('{% block ' + name + ' %}...{% endblock %}' for name in absent)}"
            )

        def render() -> str:
            context = self.template.new_context(dict(variables))
            parts = [render_bounded(self._sandbox, self.template.blocks[name](context)).strip()
                     for name in self.sections if name in wanted]
            return "\n".join(part for part in parts if part)

        return self._guard(render).strip() + "\n"

    def _guard(self, render: Callable[[], str]) -> str:
        try:
            with self._sandbox.budget():
                return render()
        except jinja2.UndefinedError as exc:
            match = _UNDEFINED_NAME.search(str(exc))
            what = f"variable {match.group(1)!r} is not set" if match else str(exc)
            raise ConfigError(
                f"store {self.store_id}: template {self.path}: {what}; set it in the store's vars "
                f"(or in the setting's vars in the fleet file)"
            ) from exc
        except SecurityError as exc:
            raise ConfigError(f"store {self.store_id}: template {self.path}: refused by the template sandbox: "
                              f"{_one_line(exc)}; a content template may only use variables, filters and "
                              f"blocks") from exc
        except jinja2.TemplateError as exc:
            raise ConfigError(f"store {self.store_id}: template {self.path}: {_one_line(exc)}") from exc
        except Exception as exc:  # e.g. {{ 1/0 }} or a too big range(): the template's fault, not a crash
            raise ConfigError(f"store {self.store_id}: template {self.path}: cannot be rendered: "
                              f"{type(exc).__name__}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def load_template(spec: str, base_dir: Path, locale: str, store_id: str) -> ContentTemplate:
    path = resolve_template_path(spec, base_dir, locale)
    if not path.is_file():
        raise ConfigError(
            f"store {store_id}: template {path} not found (template: {spec!r}, relative paths start at the "
            f"fleet file's folder {base_dir}; {LOCALE_PLACEHOLDER} is the store's language {locale!r})"
        )
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise ConfigError(f"store {store_id}: template {path} is {size} bytes, more than "
                              f"{MAX_TEMPLATE_BYTES}; a content template is an HTML page, check the path")
        source = path.read_bytes().decode("utf-8")  # checked here: the loader would raise a bare traceback
    except UnicodeDecodeError as exc:
        raise ConfigError(f"store {store_id}: template {path} is not UTF-8 text (byte {exc.start}); "
                          f"save it as UTF-8 HTML") from exc
    except OSError as exc:
        raise ConfigError(f"store {store_id}: template {path} cannot be read: {exc.strerror}") from exc
    if "\x00" in source:
        raise ConfigError(f"store {store_id}: template {path} is a binary file, not an HTML template; check the path")
    # The template's folder is all it may load from: its own file by name (a dotfile or a link out of the
    # folder is refused like an include of one would be), and what it includes, imports or extends.
    environment = BudgetedSandbox(
        loader=FolderLoader(path.parent), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )
    try:
        template = environment.get_template(path.name)
    except SecurityError as exc:
        raise ConfigError(f"store {store_id}: template {path}: refused by the template sandbox: "
                          f"{_one_line(exc)}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"store {store_id}: template {path}, line {exc.lineno}: {exc.message}") from exc
    except (jinja2.TemplateError, RecursionError, UnicodeDecodeError) as exc:
        raise ConfigError(f"store {store_id}: template {path} cannot be compiled: {_one_line(exc)}") from exc
    return ContentTemplate(path=path, store_id=store_id, template=template)


def template_variables(storefront_url: str, *layers: Mapping[str, Any]) -> dict[str, Any]:
    """What a template may use: the storefront's addresses, then each layer of vars (later layers win).

    `contact_url` and `privacy_policy_url` follow the storefront's `/service/<slug>/` pattern; a store whose
    pages live elsewhere sets them in its vars.
    """
    base = storefront_url.rstrip("/") + "/" if storefront_url else ""
    variables: dict[str, Any] = {
        "storefront_url": base,
        "contact_url": base + "service/contact/",
        "privacy_policy_url": base + "service/privacy-policy/",
        "terms_url": base + "service/general-terms-conditions/",
    }
    for layer in layers:
        variables.update(layer)
    return variables
