"""One base for every setting that manages a text page in Content > Pages (privacy policy, CCPA page, ...).

What every such page shares lives here: which page (its slug, looked for first, and its title per shop
language), reading it into a typed `TextPageState`, the plan (create / update in place / make visible / hide)
with one text diff and one summary part per language, backups before overwrite and one Save for all languages
(flows/text_pages.py), apply answering whether it saved anything, what a saved plan observed, and the read-back
after apply.

A subclass says only what differs:
- `content(...)`: the desired HTML of one language, rendered against what the page holds there now, and how
  the plan words writing it (privacy policy: a template in `replace` or `require` mode, its element check;
  CCPA page: its template, which must link to the contact page or the policy);
- `wanted(...)`: whether the page must be there at all (present, absent = hidden, ignore);
- its desired model (a `TextPageDesired`: title per language, slug, template variables, plus its own keys),
  the label key of its default title, and optionally the wording of a creation and extra `Change.detail`.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ecom_privacy.errors import ConfigError
from ecom_privacy.models import Change, ChangeAction
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.setting import PlanInput, Setting, StoreSession
from flows.content.html_text import page_text, text_diff
from flows.content.page_languages import tagged
from flows.content.templates import resolve_template_path
from flows.pages.content_pages import same_title
from flows.text_page_probe import text_page_targets
from flows.text_pages import (
    FoundPage,
    PageLanguageText,
    PageTarget,
    PageTexts,
    TextPageAfter,
    TextPageState,
    content_differs,
    page_target,
    read_text_page,
    shop_languages,
    titles_per_language,
    write_text_page,
    write_titled_page,
)

#: a page's address under /service/ (the same in every shop language)
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class PageWanted(StrEnum):
    """Whether the page must exist: shown with the desired content, hidden (kept, never deleted), or left alone."""

    PRESENT = "present"
    ABSENT = "absent"
    IGNORE = "ignore"


class TextPageDesired(BaseModel):
    """The keys every text page setting has under its name in the fleet file. Subclasses add their own and
    redeclare `slug` with their page's default address."""

    model_config = ConfigDict(extra="forbid")

    #: template variables for every store of this layer; a store's own `vars` win
    vars: dict[str, Any] = Field(default_factory=dict)
    #: the page's title per shop language; a language left out gets the label table's default title
    title: dict[str, str] = Field(default_factory=dict)
    #: the page's address (/service/<slug>/, the same in every language): the page is found by it first
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)

    _titles = field_validator("title", mode="before")(titles_per_language)


@dataclass(frozen=True, kw_only=True)
class PageContent:
    """One language's desired content, as a subclass renders it against what the page holds there now.

    Subclasses may extend it with what their `change_detail` needs (the privacy policy: its element check)."""

    html: str
    #: the template the content comes from; the plan names its file
    source: Path
    #: what writing it does, as the plan says it when the page exists and reads differently
    #: ("replace the content with privacy-policy.en.html")
    action: str
    #: what the plan says about this language after `action`, whether or not the content changes
    notes: tuple[str, ...] = ()
    #: one line per check behind the content, shown with the plan (`Change.evidence`)
    evidence: tuple[str, ...] = ()


ContentT = TypeVar("ContentT", bound=PageContent)
DesiredT = TypeVar("DesiredT", bound=TextPageDesired)


@dataclass(frozen=True)
class LanguagePlan(Generic[ContentT]):
    """One shop language's part of a plan: what to write there (the title None: keep the page's) and why."""

    language: str
    content: ContentT
    #: the title to write (a new page, an untitled language or a title from the fleet file); None: keep
    title: str | None
    content_differs: bool
    rename: bool
    #: this language's summary part (untagged); empty when there is nothing to say
    summary: str
    #: unified diff of the text a reader sees, current -> desired; empty when the content stays
    diff: str

    @property
    def changes(self) -> bool:
        return self.content_differs or self.rename


def _as_json(after: TextPageAfter) -> dict[str, Any]:
    """`after` as a plan holds it: the keys given, no others (a plan's JSON stays as before the model was)."""
    return after.model_dump(mode="json", exclude_unset=True)


class TextPageSetting(Setting[DesiredT, TextPageState], Generic[DesiredT, ContentT]):
    """A text page in Content > Pages, in every shop language. See the module's docstring for the contract."""

    #: label key of the page's default title (`content_pages.<...>` in flows/labels/<locale>.yaml); None: the
    #: fleet file must give a title for every shop language
    title_label: ClassVar[str | None] = None
    desired_model: ClassVar[type[TextPageDesired]]
    current_model: ClassVar[type[BaseModel]] = TextPageState
    after_model: ClassVar[type[BaseModel] | None] = TextPageAfter

    # --- what a subclass supplies ------------------------------------------------------------------------
    @abstractmethod
    def content(self, desired: DesiredT, context: PlanInput, language: str, current: PageTexts | None) -> ContentT:
        """The desired content in `language`, given what the page holds there now (`current`; None: there is no
        page yet). May raise ConfigError (a template that does not render): it fails this setting only."""

    def wanted(self, desired: DesiredT) -> PageWanted:
        """Whether the page must exist; present unless a subclass's desired state says otherwise."""
        return PageWanted.PRESENT

    def creation_summary(self, target: PageTarget, sources: list[str]) -> str:
        """The plan's first words for a page that does not exist yet (`sources`: the template file per language)."""
        return f"create the page {target.default_title!r} from {', '.join(sources)}, visible"

    def change_detail(self, current: TextPageState, desired: DesiredT,
                      planned: list[LanguagePlan[ContentT]]) -> dict[str, Any]:
        """`Change.detail` of a create/update: what has no typed field on Change yet. How the page was found."""
        return {"found_by": current.found_by}

    def change_before(self, page: FoundPage, planned: list[LanguagePlan[ContentT]]) -> dict[str, Any]:
        """`Change.before` of an update: the page as found."""
        return {"page_id": page.id, "url": page.url, "visible": page.visible}

    # --- the page ---------------------------------------------------------------------------------------
    def desired_of(self, desired: BaseModel) -> DesiredT:
        if not isinstance(desired, self.desired_model):
            raise TypeError(f"{self.name}: desired state {type(desired).__name__}, not {self.desired_model.__name__}")
        return cast(DesiredT, desired)

    def target(self, desired: TextPageDesired | None, context: PlanInput) -> PageTarget:
        """The page: its slug and its title per shop language (the fleet file's, else the label table's)."""
        if desired is None:  # read without a desired state: the defaults of the setting's model
            default_slug = self.desired_model.model_fields["slug"].default
            return page_target(self.name, {}, default_slug, self.title_label, context)
        return page_target(self.name, desired.title, desired.slug, self.title_label, context)

    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        desired = session.plan_input.desired.get(self.name)
        try:
            target = self.target(None if desired is None else self.desired_of(desired), session.plan_input)
        except ConfigError:  # no title for a shop language: the editor is still found by the slug
            target = self.target(None, session.plan_input)
        return text_page_targets(session, target)

    async def read(self, session: StoreSession) -> TextPageState:
        desired = session.plan_input.desired.get(self.name)
        wanted = None if desired is None else self.desired_of(desired)
        return await read_text_page(session, self.target(wanted, session.plan_input))

    def check(self, desired: BaseModel, context: PlanInput) -> None:
        """Offline: the titles resolve and every language's content renders for a page that must be present."""
        wanted = self.desired_of(desired)
        if self.wanted(wanted) is not PageWanted.PRESENT:
            return
        self.target(wanted, context)
        for language in shop_languages(context):
            self.content(wanted, context, language, None)

    # --- plan -------------------------------------------------------------------------------------------
    def plan(self, current: TextPageState, desired: BaseModel,
             context: PlanInput) -> list[Change]:
        wanted_state = self.desired_of(desired)
        wanted = self.wanted(wanted_state)
        if wanted is PageWanted.IGNORE:
            return []
        page = current.found(self.name)
        target = self.target(wanted_state, context)
        if wanted is PageWanted.ABSENT:
            return self._plan_hide(page, target)

        planned = [self.plan_language(page, wanted_state, context, language, title, target)
                   for language, title in target.titles.items()]
        make_visible = page is not None and not page.visible
        if page is not None and not make_visible and not any(part.changes for part in planned):
            return []

        languages = target.languages
        parts = []
        if page is None:
            parts.append(self.creation_summary(target, [part.content.source.name for part in planned]))
        parts += [tagged(part.language, languages, part.summary) for part in planned if part.summary]
        if make_visible:
            parts.append("make visible")
        after = TextPageAfter(
            visible=True, title=page.title if page else target.default_title, html=planned[0].content.html,
            slug=wanted_state.slug, find_titles=target.titles,
            # the desired content of every language, also when unchanged: a saved plan carries all apply needs
            languages={part.language: PageLanguageText(title=part.title, html=part.content.html) for part in planned},
            **({"page_id": page.id} if page is not None else {}))
        return [Change(
            setting=self.name, action=ChangeAction.CREATE if page is None else ChangeAction.UPDATE,
            before=None if page is None else self.change_before(page, planned), after=_as_json(after),
            summary="; ".join(parts), diff="\n".join(part.diff for part in planned if part.diff),
            evidence=[tagged(part.language, languages, line) for part in planned for line in part.content.evidence],
            detail=self.change_detail(current, wanted_state, planned),
        )]

    def plan_language(self, page: FoundPage | None, desired: DesiredT, context: PlanInput, language: str,
                      title: str, target: PageTarget) -> LanguagePlan[ContentT]:
        """One language: its desired content, whether it or the title differs from the page's, and the words."""
        current = None if page is None else page.text(language, target.languages[0])
        content = self.content(desired, context, language, current)
        old = current or PageTexts()
        differs = content_differs(old.html, content.html)
        # A title from the fleet file is desired state; a default title only names a new or untitled page.
        rename = page is not None and (not old.title.strip() or (
            language in desired.title and not same_title(old.title, title)))
        parts = []
        if page is not None and differs:
            parts.append(content.action)
        parts += content.notes
        if rename:
            parts.append(f"title {old.title!r} -> {title!r}")
        diff = text_diff(page_text(old.html), page_text(content.html), old_name=f"current ({language})",
                         new_name=f"desired ({language})") if differs else ""
        return LanguagePlan(language=language, content=content, title=title if (page is None or rename) else None,
                            content_differs=differs, rename=rename, summary="; ".join(parts), diff=diff)

    def _plan_hide(self, page: FoundPage | None, target: PageTarget) -> list[Change]:
        """Hidden in every language (visibility is the page's), kept: a hidden page can be shown again."""
        if page is None or not page.visible:
            return []
        return [Change(
            setting=self.name, action=ChangeAction.HIDE,
            before={"page_id": page.id, "url": page.url, "visible": page.visible},
            after=_as_json(TextPageAfter(visible=False, title=page.title, html=None, page_id=page.id,
                                         slug=target.slug, find_titles=target.titles, languages=None)),
            summary=f"hide the page {page.title!r} in every language (it is kept, not deleted)")]

    def published(self, change: Change, desired: BaseModel, context: PlanInput) -> list[tuple[str, str]]:
        """Each language's title and content (as HTML and as the text a visitor reads: `&#33;` is `!` there),
        named by its template file; then the rest of the change."""
        spec = getattr(desired, "template", None)
        parts = []
        for language, text in (self.after_of(change).languages or {}).items():
            source = (f"{self.name} [{language}]: template {resolve_template_path(spec, context.base_dir, language)}"
                      if isinstance(spec, str) else f"{self.name} [{language}]")
            html = text.html or ""
            parts.append((source, f"{text.title or ''}\n{html}\n{page_text(html) if html else ''}"))
        return [*parts, *super().published(change, desired, context)]

    # --- apply, observe ---------------------------------------------------------------------------------
    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        """Bring the page to each change's `after`, looking it up again (never by a remembered id). True only
        when something was saved: an apply repeated after success, or a page already as planned, saves nothing."""
        saved = False
        for change in changes:
            after: TextPageAfter = self.after_of(change)
            if after.one_language_only:  # a plan saved by an earlier version: the default language only
                wrote = await write_titled_page(session, self.name, after.title, html=after.html,
                                                visible=after.visible)
            else:
                wrote = await write_text_page(session, self.name, after.target, texts=after.languages,
                                              visible=after.visible)
            saved = wrote or saved
        return saved

    def observe(self, current: TextPageState, desired: BaseModel,
                context: PlanInput) -> Any:
        """The state as read, as JSON (a saved plan holds it; any difference later makes the plan stale)."""
        return current.model_dump(mode="json")
