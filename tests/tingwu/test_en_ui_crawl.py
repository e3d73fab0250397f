"""Issue 10 §3, English mode: with the UI switched to English, the pages each role reaches from its home menu, the
records' detail pages and the customer screens (kiosk, its ticket, the mobile ticket, the public guide, the calling
display) show no Chinese in their prose — labels, buttons, headings, options, placeholders, titles — and no full-width
marks （）：，；！？「」《》 in English text. Data that has no English form (a hall's name, a customer's demand, a
material without an English name) is Chinese in every language and is taken out before the check; data whose model
has an English column (``name_en``, ``text_en``, ``plain_en``) must show it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from complaints.text import terms
from lib.masking import mask_name, mask_pi_in_text
from tests.pages import ROLES, pages_for

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]+")
FULL_WIDTH = re.compile(r"[（）：，；！？「」《》]")
SKIP_TAGS = {"code", "kbd", "script", "style"}
# The language switch names each language in itself (简体中文 / English), as every multilingual site does.
ALLOWED = {"简体中文", "中文"}


class _Shown(HTMLParser):
    """What the user reads: text outside <code>/<kbd>/<script>/<style>, plus placeholder, title and aria-label."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.depth += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def data_without_english() -> list[str]:
    """Every Chinese text value stored in the database that has no English form: a text field of a model without an
    ``<field>_en`` column, or one whose ``_en`` column is empty on that row. Longest first (a name inside a
    longer text is taken out after the text)."""
    values: set[str] = set()
    translated: set[str] = set()  # Chinese values whose row has the English one: never taken out
    for model in apps.get_models():
        fields = [
            f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))
        ]
        names = {f.name for f in fields}
        for field in fields:
            if field.name.endswith("_en"):
                continue
            english = f"{field.name}_en" if f"{field.name}_en" in names else None
            columns = [field.name] + ([english] if english else [])
            for row in model._default_manager.values_list(*columns):
                if row[0] and HAN.search(row[0]):
                    (translated if english and row[1] else values).add(row[0])
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                for (value,) in model._default_manager.values_list(field.name):
                    values.update(_strings(value))
    from django.contrib.auth import get_user_model

    for user in get_user_model()._default_manager.all():
        values.update(s for s in (user.get_full_name(), user.first_name, user.last_name) if s)
    values |= {masked for v in values for masked in (mask_name(v), mask_pi_in_text(v))}
    return sorted((v for v in values - translated if HAN.search(v)), key=len, reverse=True)


def complaint_words() -> list[str]:
    """What the hot-spot analysis derives from the complaints' own words (CMP-3): keywords and phrases, shown on the
    hot-spot page and as a complaint's suggestion keywords. Taken out on those pages only: a keyword may equal a
    business type's Chinese name (套餐变更), which elsewhere must read in English."""
    values: set[str] = set()
    for demand in apps.get_model("complaints", "Complaint")._default_manager.values_list("demand", flat=True):
        words = terms(demand)
        values |= set(words) | {a + b for a, b in zip(words, words[1:], strict=False)}
    return sorted(values, key=len, reverse=True)


def _data_for(url: str, data: list[str], words: list[str]) -> list[str]:
    return data + words if url.startswith("/complaints/") else data


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def shown_text(html: str) -> str:
    parser = _Shown()
    parser.feed(html)
    return "\n".join(parser.parts)


def chinese_left(html: str, data: list[str]) -> tuple[list[str], list[str]]:
    """(Chinese runs left in the shown text once data without English is taken out, full-width marks with context)."""
    import html as htmllib

    text = shown_text(html)
    for value in data:
        text = text.replace(value, " ").replace(htmllib.escape(value), " ")
    han = [h for h in HAN.findall(text) if h not in ALLOWED]
    marks = [text[max(0, m.start() - 12) : m.end() + 12] for m in FULL_WIDTH.finditer(text)]
    return han, marks


def _report(found: dict) -> str:
    return "\n".join(f"{url}: {items}" for url, items in found.items())


def switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.fixture
def records_en(records):
    """The records the page walkers open (tests/pages.py), English names on the
    fixture's business types, and the reference data with English columns (a phrase, a glossary term)."""
    from catalog.models import BusinessType, GlossaryTerm, PhraseKind, StandardPhrase

    for code, en in (("PLAN", "Plan change"), ("CONTRACT", "Contract phone"), ("ASK", "General enquiry")):
        BusinessType.objects.filter(code=code).update(name_en=en)
    StandardPhrase.objects.create(
        kind=PhraseKind.GREETING,
        text="您好，请问有什么可以帮您？",
        text_en="Hello, how can I help you?",
        clause="STF-2.1",
    )
    GlossaryTerm.objects.create(
        term="流量结转", plain="本月没用完的流量会自动转到下个月", plain_en="Unused data moves to next month"
    )
    return records


@pytest.mark.parametrize("role", ROLES)
def test_english_staff_pages_show_no_chinese(client, records_en, role):
    user = records_en[role]
    client.force_login(user)
    switch_to_english(client)
    data, words = data_without_english(), complaint_words()
    found, marks = {}, {}
    for url in pages_for(user, records_en):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        han, full = chinese_left(response.content.decode(), _data_for(url, data, words))
        if han:
            found[url] = sorted(set(han))
        if full:
            marks[url] = full
    assert not found and not marks, _report(found) + "\n--- full-width marks ---\n" + _report(marks)


def test_english_customer_screens_show_no_chinese(client, records_en):
    from integrations.models import TokenKind, token_create
    from queueing.views.kiosk import COOKIE

    hall = records_en["hall_a"]
    switch_to_english(client)
    client.cookies[COOKIE] = token_create(hall=hall, kind=TokenKind.KIOSK, name="kiosk en")[1]
    display = token_create(hall=hall, kind=TokenKind.DISPLAY, name="display en")[1]
    token = records_en["ticket"].public_token
    screens = [
        (url, {})
        for url in (
            "/queue/kiosk/",
            f"/queue/kiosk/ticket/{token}/",
            f"/queue/m/{token}/",
            f"/queue/m/{token}/status/",
            "/catalog/guide/PLAN/public/",
        )
    ] + [(f"/floor/display/{hall.pk}/", {"HTTP_X_DEVICE_TOKEN": display})]
    data, words = data_without_english(), complaint_words()
    found, marks = {}, {}
    for url, headers in screens:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        han, full = chinese_left(response.content.decode(), _data_for(url, data, words))
        if han:
            found[url] = sorted(set(han))
        if full:
            marks[url] = full
    assert not found and not marks, _report(found) + "\n--- full-width marks ---\n" + _report(marks)


@pytest.mark.parametrize(
    ("html", "han", "marks"),
    [
        ('<p>Role：clerk</p><input placeholder="请输入">', ["请输入"], ["Role：clerk"]),
        ("<p><code>投诉</code> <script>var a='中文'</script>Name</p>", [], []),
        ('<a href="/x?q=中文" data-x="中">Back</a>', [], []),
        ("<p>《Business guide》</p>", [], ["《Business", "guide》"]),
    ],
)
def test_the_check_reads_prose_and_user_facing_attributes(html, han, marks):
    found_han, found_marks = chinese_left(html, [])
    assert found_han == han
    assert len(found_marks) == len(marks) and all(m in f for m, f in zip(marks, found_marks, strict=True))


def test_no_english_translation_holds_an_ascii_double_quote():
    """A translated literal is safe template text, not escaped: in ``placeholder="{% translate '…' %}"`` an ASCII
    double quote ends the attribute, and the console's glossary box read "Enter a technical term, e.g. " (the cut
    placeholder of issue 10 §3). English translations quote with “ ”."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for po in sorted(root.glob("*/locale/en/LC_MESSAGES/django.po")):
        for entry in po.read_text(encoding="utf-8").split("\n\n"):
            msgstr = entry.split("\nmsgstr", 1)[-1] if "\nmsgstr" in entry else ""
            if '\\"' in msgstr:
                found.append(f"{po.parent.parent.parent.parent.name}: {msgstr.strip()[:80]}")
    assert found == []
