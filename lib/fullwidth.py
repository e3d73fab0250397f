"""Full-width punctuation in Chinese text (issue 10 §3): an ASCII , : ; ( ) ! ? next to a Chinese character is the
full-width one, and Chinese quotations use one kind of marks, 「」. Used by the UI crawl tests (``find``) and by
``manage.py fullwidth`` (``fix``), which rewrites templates, gettext msgids and messages in one mechanical pass.

In a template a mark that sits between template tags — ``{% translate "角色" %}：{{ role }}``, ``{{ name }}（{{ no }}）``,
``{% if not forloop.last %}、{% endif %}`` — is the template's own text, shown in every language; there it is a
translated mark, ``{% translate "：" %}``, whose English is the ASCII one (tingwu/locale: "：" → ": ", "（" → " (",
"《" → "“" …). ``fix(text, template=True)`` writes that form; marks inside a ``{% blocktranslate %}`` body or a tag
stay as they are (they belong to the msgid)."""

from __future__ import annotations

import re

HAN = r"[\u4e00-\u9fff]"
FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
# The ASCII mark touches a Chinese character, or a full-width mark that itself follows Chinese text.
_NEXT_TO_HAN = re.compile(rf"(?<={HAN})[,:;!?()]|[,:;!?()](?={HAN})|(?<=[）」])[,:;!?]|(?<=[（「])[(]")
_INNER = "[^()（）\n\"'{}<>%]{0,40}"  # no code inside: quotes, braces, tags, format specs
_PAREN = re.compile(rf"\(({_INNER}{HAN}{_INNER})\)")
# A bracket's halves of two kinds are always a slip, whatever is inside.
_PAIR_INNER = "[^()（）\n\"'<>]{0,40}"
_PAIR = [re.compile(rf"（({_PAIR_INNER})\)"), re.compile(rf"\(({_PAIR_INNER})）")]
_CURLY = re.compile(r"[“”]")
# In templates the Chinese is inside a tag: {% translate "角色" %}: … and ({% translate "本人" %}).
_TAG = r'\{% (?:translate|trans) "[^"\n]*' + HAN + r'[^"\n]*" ?%\}'
_AFTER_TAG = re.compile(rf"({_TAG})([,:;!?])")
_BLOCK = (
    r"\{% blocktrans(?:late)?\b[^%\n]*%\}(?:(?!\{% endblocktrans)[^\n])*?"
    + HAN
    + r"(?:(?!\{% endblocktrans)[^\n])*?\{% endblocktrans(?:late)? %\}"
)
_AROUND_TAG = re.compile(rf"\(({_TAG}|{_BLOCK})\)")
# A template's data label: {{ label }}:{{ n }}, and a value in brackets after Chinese, a label or a {% translate %}:
# 中文({{ n }}), {{ name }}({{ hall }}), {% translate "到期检查" %}({{ n }}). Template syntax only ({{ }}, never
# a Python f-string's {h}:{m}); a time in a template is written with |date:"H:i" or |time, never {{ h }}:{{ m }}.
_VAR = r"\{\{[^{}\n]*\}\}"
_VAR_COLON = re.compile(rf"({_VAR}):(?=\{{[{{%])")
_VAR_PAREN = re.compile(rf"({HAN}|{_VAR}|{_TAG})\(({_VAR}%?)\)")


# Template text marks: outside tags, variables, comments and blocktranslate bodies.
TEMPLATE_MARKS = "（）：，；！？「」《》、"
_TEMPLATE_SKIP = re.compile(
    r"\{% blocktrans(?:late)?\b.*?%\}.*?\{% endblocktrans(?:late)? %\}|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}"
    r"|<script\b.*?</script>|<style\b.*?</style>",
    re.S,
)
_TEMPLATE_MARK = re.compile(f"[{TEMPLATE_MARKS}]")


def translated_marks(text: str) -> str:
    """A template's own full-width marks (outside tags and blocktranslate bodies) as ``{% translate "：" %}``."""
    out, pos = [], 0
    for m in _TEMPLATE_SKIP.finditer(text):
        out.append(_TEMPLATE_MARK.sub(lambda k: f'{{% translate "{k.group(0)}" %}}', text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_TEMPLATE_MARK.sub(lambda k: f'{{% translate "{k.group(0)}" %}}', text[pos:]))
    return "".join(out)


def find(text: str) -> list[str]:
    """The snippets of ``text`` where ASCII punctuation touches Chinese text, or curly quotes are used."""
    hits = []
    for m in _NEXT_TO_HAN.finditer(text):
        hits.append(text[max(0, m.start() - 6) : m.end() + 6])
    for rx in (_AFTER_TAG, _AROUND_TAG, _VAR_COLON, _VAR_PAREN, *_PAIR):
        hits += [m.group(0) for m in rx.finditer(text)]
    for m in _CURLY.finditer(text):
        hits.append(text[max(0, m.start() - 6) : m.end() + 6])
    return hits


def fix(text: str, *, template: bool = False) -> str:
    """``text`` with the marks of ``find`` replaced: （…） around Chinese, ，：；！？ next to it, 「」 for “”; in a
    template (``template=True``) the marks between template tags as translated marks (``translated_marks``)."""
    text = _PAREN.sub(lambda m: f"（{m.group(1)}）", text)
    text = _AFTER_TAG.sub(lambda m: m.group(1) + FULL[m.group(2)], text)
    text = _AROUND_TAG.sub(lambda m: f"（{m.group(1)}）", text)
    text = _VAR_COLON.sub(lambda m: m.group(1) + "：", text)
    text = _VAR_PAREN.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text)
    prev = None
    while prev != text:  # a run such as "中文):" needs two passes
        prev = text
        text = _NEXT_TO_HAN.sub(lambda m: FULL[m.group(0)], text)
        for pair in _PAIR:  # the other half of a bracket that touched Chinese on one side only
            text = pair.sub(lambda m: f"（{m.group(1)}）", text)
    opened = False

    def quote(_m):
        nonlocal opened
        opened = not opened
        return "「" if opened else "」"

    text = _CURLY.sub(quote, text)
    return translated_marks(text) if template else text
