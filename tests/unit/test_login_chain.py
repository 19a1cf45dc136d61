"""Pure parts of the login chain and its coordinator: where "logged in" is, recovery codes, the per-account
login lock, refusals per account (in a command and across commands), the Logins line."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.access.coordinator import LoginCoordinator
from automation.access.login_chain import IdentitySessions, RecoveryCodeLedger, account_key
from automation.access.secrets import parse_recovery_codes
from automation.outputs.render import render_logins
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import SYSTEM_CLOCK, Clock, FixedClock
from ecom_privacy.errors import (
    AuthenticationError,
    BotChallengeError,
    CodeUnavailableError,
    LoginWithheldError,
    TransientError,
)
from ecom_privacy.models import LoginCounts, LoginSecrets, LoginTally, RunDocument, StoreResult
from flows.pages.base import in_backoffice, is_login_url, without_query

SHOP = "https://shop.webshopapp.com/admin"
MOCK = "http://127.0.0.1:8800/shop-en/admin"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://shop.webshopapp.com/admin", True),
    ("https://shop.webshopapp.com/admin/", True),
    ("https://shop.webshopapp.com/admin/settings/web_extras?x=1", True),
    ("https://shop.webshopapp.com:443/admin/", True),  # the default port is the same origin
    ("https://shop.webshopapp.com/admin/auth/login?next=/admin/", False),
    ("https://shop.webshopapp.com/admin/auth/sso?token=abc", False),
    ("https://shop.webshopapp.com/admin/auth", False),
    ("https://shop.webshopapp.com/", False),  # the storefront
    ("https://shop.webshopapp.com/administrator", False),  # a path that only starts alike
    ("http://shop.webshopapp.com/admin/", False),  # another scheme is another origin
    ("https://api.lightspeed.app/auth/lightspeed/ecom-eu", False),  # the identity service
    ("https://evil.test/admin/", False),
    ("https://api.lightspeed.app/shop.webshopapp.com/admin/", False),
    ("about:blank", False),
])
def test_in_backoffice_is_decided_by_origin_and_path(url: str, expected: bool) -> None:
    assert in_backoffice(url, SHOP) is expected
    assert is_login_url(url, SHOP) is not expected


def test_mock_stores_share_a_host_but_not_an_admin_path() -> None:
    assert in_backoffice("http://127.0.0.1:8800/shop-en/admin/settings", MOCK)
    assert not in_backoffice("http://127.0.0.1:8800/shop-nl/admin/settings", MOCK)  # another store
    assert not in_backoffice("http://127.0.0.1:8801/shop-en/admin/settings", MOCK)  # the identity port
    assert not in_backoffice("http://127.0.0.1:8800/shop-en/admin/auth/sso?token=t", MOCK)
    # an old path-suffix rule would have taken any ".../admin/login" for the login page and nothing else
    assert in_backoffice("http://127.0.0.1:8800/shop-en/admin/login-history", MOCK)


def test_messages_never_carry_the_chains_query() -> None:
    assert without_query("http://127.0.0.1:8800/shop-en/admin/auth/sso?token=s3cret#x") == \
        "http://127.0.0.1:8800/shop-en/admin/auth/sso"


def test_recovery_codes_are_split_and_deduplicated_in_order() -> None:
    assert parse_recovery_codes(" aaaa-1111, bbbb-2222\ncccc-3333;aaaa-1111 ") == ("aaaa-1111", "bbbb-2222",
                                                                                  "cccc-3333")
    assert parse_recovery_codes(" \n") == ()


def test_recovery_codes_are_redacted_and_not_in_repr() -> None:
    secrets = LoginSecrets("a@b.test", "pw-123456", recovery_codes=("rc-aaaa-1111", "rc-bbbb-2222"))
    redactor = Redactor()
    redactor.add_login(secrets)
    assert redactor("used rc-bbbb-2222 today") == "used *** today"
    assert "rc-aaaa" not in repr(secrets) and "<2>" in repr(secrets)


def test_a_spent_recovery_code_is_remembered_as_a_hash_only(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    ledger = RecoveryCodeLedger(directory)
    codes = ("rc-aaaa-1111", "rc-bbbb-2222", "rc-cccc-3333")
    account = account_key("Agency@Example.test ")
    assert account == account_key("agency@example.test")
    assert ledger.unused(account, codes) == codes
    ledger.spend(account, "rc-aaaa-1111")
    assert ledger.unused(account, codes) == codes[1:]
    # a later run (a new ledger on the same folder) takes the next code too
    assert RecoveryCodeLedger(directory).unused(account, codes) == codes[1:]
    assert RecoveryCodeLedger(directory).unused(account_key("other@example.test"), codes) == codes
    text = ledger.path_for(account).read_text()
    assert "rc-aaaa" not in text and len(text.split()) == 1
    assert stat.S_IMODE(ledger.path_for(account).stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_the_summary_says_how_each_store_got_in_and_what_was_typed() -> None:
    stores = [StoreResult(id="a", logins=LoginCounts(chains=1, password=1, code=1)),
              StoreResult(id="b", logins=LoginCounts(chains=1)),  # passed on the account's identity session
              StoreResult(id="c", logins=LoginCounts(cached_session=1))]  # a cached session: no login at all
    document = RunDocument(created_at="now", fleet_file="f.yaml", stores=stores)
    assert render_logins(document) == ("Logins: 3 store(s): 1 by password, 1 by the account's identity session, "
                                       "1 by cached session; 1 password(s) and 1 code(s) submitted")
    stores[1].logins.recovery_codes = 1
    stores[2].logins.bot_challenges = 2
    assert render_logins(document).endswith("(1 recovery code(s) used); 2 bot challenge(s) met")


class FakeContext:
    """Only the two cookie calls the identity sessions make (pure bookkeeping, no browser needed)."""

    def __init__(self, cookies: list[dict[str, Any]] | None = None) -> None:
        self.jar = list(cookies or [])
        self.added: list[dict[str, Any]] = []

    async def cookies(self, urls: list[str]) -> list[dict[str, Any]]:
        return list(self.jar)

    async def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        self.added.extend(cookies)


def _chain(tmp_path: Path, clock: Clock = SYSTEM_CLOCK) -> LoginCoordinator:
    return LoginCoordinator(tmp_path / "s", Redactor(), attempts=3, clock=clock)


def test_the_logins_line_counts_refused_stores_as_failed_not_logged_in() -> None:
    """#24 (low): "Logins: 6 of 6 logged in" when all 6 were refused; #22 item 11: "0 of 5" when all reused a
    session."""
    refused = RunDocument(created_at="now", fleet_file="f.yaml", stores=[
        StoreResult(id=f"s{n}", logins=LoginCounts(chains=1, password=1 if n == 1 else 0, failed=1))
        for n in range(1, 7)])
    assert render_logins(refused).startswith("Logins: 6 store(s): 6 failed; 1 password(s)")
    cached = RunDocument(created_at="now", fleet_file="f.yaml", stores=[
        StoreResult(id=f"s{n}", logins=LoginCounts(cached_session=1)) for n in range(1, 6)])
    assert render_logins(cached).startswith("Logins: 5 store(s): 5 by cached session; 0 password(s)")
    never = RunDocument(created_at="now", fleet_file="f.yaml", stores=[StoreResult(id="x")])
    assert render_logins(never).startswith("Logins: 1 store(s): 1 not logged in;")


async def test_stores_of_one_account_log_in_one_after_another_and_share_the_identity_cookies(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    secrets = LoginSecrets("agency@example.test", "pw-123456")
    order: list[str] = []
    identity_cookie = {"name": "lsid", "value": "identity-cookie-value", "domain": "id.test", "path": "/"}
    store_cookie = {"name": "backend_session_id", "value": "v", "domain": "id.test", "path": "/shop-a/admin"}
    contexts = {"a": FakeContext([identity_cookie, store_cookie]), "b": FakeContext()}

    def login_of(store: str):
        async def login(secrets: LoginSecrets, tally: LoginTally) -> None:
            order.append(f"{store} start")
            await asyncio.sleep(0)  # give the other store every chance to start in between
            if store == "a":
                tally.counts.password += 1
                tally.identity_url = "http://id.test"
                tally.one_time_values.append("one-time-token-123")
            order.append(f"{store} done")
        return login

    counts = {"a": LoginCounts(), "b": LoginCounts()}
    await asyncio.gather(*(chain.log_in(session_key="", store_id=store, context=contexts[store],
                                        backoffice_url="http://s.test/shop-a/admin", secrets=secrets,
                                        counts=counts[store], login=login_of(store), warn=print)
                           for store in ("a", "b")))
    assert order == ["a start", "a done", "b start", "b done"]
    assert contexts["b"].added == [identity_cookie]  # not the store's own session
    assert counts["a"].password == 1 and counts["b"].password == 0
    assert chain.redactor("token one-time-token-123") == "token ***"


def _refusing(tries: list[str], right: str = "right-123456") -> Any:
    """A login flow of an identity service that accepts `right` only; every submission is noted."""
    async def login(secrets: LoginSecrets, tally: LoginTally) -> None:
        tries.append(secrets.password)
        tally.counts.password += 1
        if secrets.password != right:
            raise AuthenticationError("the email or password was refused")
    return login


async def _log_in(chain: LoginCoordinator, store: str, password: str, login: Any,
                  counts: LoginCounts | None = None) -> None:
    await chain.log_in(session_key="", store_id=store, context=FakeContext(), backoffice_url="http://s.test/admin",
                       secrets=LoginSecrets("agency@example.test", password), counts=counts or LoginCounts(),
                       login=login, warn=print)


async def test_a_refusal_stops_every_store_of_the_account_whatever_credentials_it_holds(tmp_path: Path) -> None:
    """#24 finding 3: a half-done password rotation (each store's environment holds another wrong password for
    the same email) gave each its own try and locked the account; a store with the right password then read
    "account locked"."""
    chain, tries = _chain(tmp_path), []
    login = _refusing(tries)
    counts = {store: LoginCounts() for store in "abc"}
    with pytest.raises(AuthenticationError, match="refused"):
        await _log_in(chain, "a", "wrong-1111111", login, counts["a"])
    for store, password in (("b", "wrong-2222222"), ("c", "right-123456")):
        with pytest.raises(LoginWithheldError) as withheld:
            await _log_in(chain, store, password, login, counts[store])
        assert "refused a login of this account for store a in this run" in str(withheld.value)
        assert "locked" not in str(withheld.value)
    assert tries == ["wrong-1111111"]  # one attempt for the account in this command
    assert [counts[store].failed for store in "abc"] == [1, 1, 1]


async def test_across_commands_one_failed_attempt_per_account_a_day(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    tries: list[str] = []
    login = _refusing(tries)
    first = _chain(tmp_path, clock)
    with pytest.raises(AuthenticationError):
        await _log_in(first, "a", "wrong-1111111", login)
    with pytest.raises(LoginWithheldError):
        await _log_in(first, "b", "wrong-2222222", login)  # held back in the same command: its credentials noted

    # The next command the same day: the refused credentials never, the held ones not before a day has passed.
    clock.advance(timedelta(hours=6))
    later = _chain(tmp_path, clock)
    with pytest.raises(LoginWithheldError, match="refused these same credentials"):
        await _log_in(later, "a", "wrong-1111111", login)
    with pytest.raises(LoginWithheldError, match="one failed attempt per account a day"):
        await _log_in(later, "b", "wrong-2222222", login)
    with pytest.raises(LoginWithheldError, match="one failed attempt per account a day"):
        await _log_in(later, "d", "wrong-4444444", login)  # a store not seen since the refusal waits too
    assert tries == ["wrong-1111111"]

    # A store whose own credentials changed since may try at once (a person corrected them)...
    await _log_in(_chain(tmp_path, clock), "b", "right-123456", login)
    assert tries == ["wrong-1111111", "right-123456"]
    # ...and the success ends the wait for the others; the refused credentials stay barred.
    with pytest.raises(LoginWithheldError, match="refused these same credentials"):
        await _log_in(_chain(tmp_path, clock), "a", "wrong-1111111", login)
    with pytest.raises(AuthenticationError, match="was refused"):
        await _log_in(_chain(tmp_path, clock), "d", "wrong-4444444", login)
    assert tries[-1] == "wrong-4444444"


async def test_after_a_day_the_account_gets_one_more_try_and_no_more(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    tries: list[str] = []
    login = _refusing(tries)
    with pytest.raises(AuthenticationError):
        await _log_in(_chain(tmp_path, clock), "a", "wrong-1111111", login)
    with pytest.raises(LoginWithheldError):
        await _log_in(_chain(tmp_path, clock), "b", "wrong-2222222", login)
    clock.advance(timedelta(days=1, minutes=1))
    nightly = _chain(tmp_path, clock)
    with pytest.raises(AuthenticationError, match="was refused"):
        await _log_in(nightly, "b", "wrong-2222222", login)
    with pytest.raises(LoginWithheldError):
        await _log_in(nightly, "c", "wrong-3333333", login)
    assert tries == ["wrong-1111111", "wrong-2222222"]  # one a day


async def test_no_code_left_is_no_refusal_and_stops_nobody(tmp_path: Path) -> None:
    chain, tries = _chain(tmp_path), []

    async def no_code(secrets: LoginSecrets, tally: LoginTally) -> None:
        tries.append("x")
        raise CodeUnavailableError("no unused recovery code is left")

    with pytest.raises(CodeUnavailableError):
        await _log_in(chain, "a", "pw-123456789", no_code)
    await _log_in(chain, "b", "right-123456", _refusing(tries))
    assert not list((tmp_path / "s").glob("account-*.refused"))


async def test_a_bot_challenge_is_tried_once_more_and_then_explained(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    tries: list[int] = []
    warnings: list[str] = []

    async def challenged(secrets: LoginSecrets, tally: LoginTally) -> None:
        tries.append(1)
        raise BotChallengeError("the login chain answered with a bot challenge")

    with pytest.raises(BotChallengeError, match="ecom-privacy login --store shop-x") as caught:
        await chain.log_in(session_key="", store_id="shop-x", context=FakeContext(),
                           backoffice_url="http://s.test/admin", secrets=LoginSecrets("a@b.test", "pw-123456"),
                           counts=LoginCounts(),
                           login=challenged, warn=warnings.append)
    assert len(tries) == 2 and len(warnings) == 1
    assert caught.value.kind == "bot_challenge" and not isinstance(caught.value, AuthenticationError)
    assert "\n" not in str(caught.value)


async def test_transient_faults_are_retried_and_recovery_codes_offered_unused_first(tmp_path: Path) -> None:
    chain = _chain(tmp_path)
    secrets = LoginSecrets("a@b.test", "pw-123456", recovery_codes=("rc-1111", "rc-2222"))
    offered: list[tuple[str, ...]] = []

    async def flaky(secrets: LoginSecrets, tally: LoginTally) -> None:
        offered.append(secrets.recovery_codes)
        if len(offered) == 1:
            assert tally.on_recovery_code is not None
            tally.on_recovery_code(secrets.recovery_codes[0])  # submitted, then the answer is lost
            raise TransientError("timed out")

    await chain.log_in(session_key="", store_id="s", context=FakeContext(), backoffice_url="http://s.test/admin",
                       secrets=secrets, counts=LoginCounts(), login=flaky, warn=print)
    assert offered == [("rc-1111", "rc-2222"), ("rc-2222",)]  # the retry never sends the spent code again


async def test_a_browser_keeps_its_own_identity_session_over_the_accounts_older_one() -> None:
    identities = IdentitySessions()
    account = identities.account(account_key("agency@example.test"))
    first, second = FakeContext([{"name": "lsid", "value": "one-1234", "path": "/auth"}]), FakeContext()
    await identities.keep(first, account, "http://id.test/auth/login", "http://s.test/a/admin")
    await identities.seed(first, account)
    assert first.added == []  # it has that session already (or, by now, a newer one of its own)
    await identities.seed(second, account)
    assert [cookie["value"] for cookie in second.added] == ["one-1234"]
    await identities.seed(second, account)
    assert len(second.added) == 1  # seeded once per version, never over what it got since
