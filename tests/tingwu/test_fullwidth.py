"""Issue 10 §3: lib.fullwidth and ``manage.py fullwidth`` — full-width marks in Chinese text, around template data
and in model files' strings; codes, times, format strings and English stay as they are."""

from __future__ import annotations

import pytest

from lib.fullwidth import find, fix
from tingwu.management.commands.fullwidth import fix_literals


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<li>{{ l.label }}:{{ l.count }}</li>", "<li>{{ l.label }}：{{ l.count }}</li>"),
        ("{{ p.label }}:{% if p.pct %}", "{{ p.label }}：{% if p.pct %}"),
        (
            '<h2>{% translate "到期检查" %}({{ due|length }})</h2>',
            '<h2>{% translate "到期检查" %}（{{ due|length }}）</h2>',
        ),
        ("{{ c.name }}({{ c.hall.name }})", "{{ c.name }}（{{ c.hall.name }}）"),
        ("{{ r.count }}({{ r.share }}%)", "{{ r.count }}（{{ r.share }}%）"),
        # a bracket opened full-width and closed in ASCII (or the other way), whatever is inside
        ('_("占低分评价（%)")', '_("占低分评价（%）")'),
        ("完好率(%）", "完好率（%）"),
        (
            "({% blocktranslate with v=n %}依据服务规范第{{ v }}版{% endblocktranslate %})",
            "（{% blocktranslate with v=n %}依据服务规范第{{ v }}版{% endblocktranslate %}）",
        ),
    ],
)
def test_template_data_labels_get_full_width_marks(source, expected):
    assert find(source)
    assert fix(source) == expected
    assert find(expected) == [] and fix(expected) == expected


@pytest.mark.parametrize(
    "source",
    [
        '{{ s.start|date:"m-d H:i" }}',
        "09:00–12:00",
        "%(count)s/%(total)s (%(share)s%%)",
        "<a href=\"{% url 'x' %}?a={{ a }}&amp;b={{ b }}\">",
        "{{ iv.0 }}–{{ iv.1 }}",
        "Effective: %(start)s (English)",
        "优先：普通 = 1:%(n)s",
        "init({{ config }})",
    ],
)
def test_codes_times_format_strings_and_english_stay(source):
    assert fix(source) == source


def test_model_files_change_their_string_literals_not_comments_or_docstrings():
    source = (
        'class A:\n    """A pad (评价器), see CMP-1: 文档."""\n\n'
        '    # 一窗通办: every business\n    OK = "ok", _("复核通过(计入)")\n'
        '    rule = models.CharField(default="过号请到引导台重新激活,30分钟内有效")\n'
    )
    out = fix_literals(source)
    assert '_("复核通过（计入）")' in out and 'default="过号请到引导台重新激活，30分钟内有效"' in out
    assert '"""A pad (评价器), see CMP-1: 文档."""' in out and "# 一窗通办: every business" in out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{% translate "角色" %}:{{ r }}', '{% translate "角色" %}{% translate "：" %}{{ r }}'),
        ('{% translate "角色" %}：{{ r }}', '{% translate "角色" %}{% translate "：" %}{{ r }}'),
        ("{{ c.name }}({{ c.no }})", '{{ c.name }}{% translate "（" %}{{ c.no }}{% translate "）" %}'),
        (
            '<h1>《{% translate "业务办理指南" %}》{{ bt.label }}</h1>',
            '<h1>{% translate "《" %}{% translate "业务办理指南" %}{% translate "》" %}{{ bt.label }}</h1>',
        ),
        (
            "{% if not forloop.last %}、{% endif %}",
            '{% if not forloop.last %}{% translate "、" %}{% endif %}',
        ),
    ],
)
def test_template_marks_between_tags_become_translated_marks(source, expected):
    """Issue 10 §3: `{% translate "角色" %}：` showed a full-width colon after an English word on English pages; a
    template's own mark is a translated mark, full-width in Chinese, ASCII in English."""
    assert fix(source, template=True) == expected
    assert fix(expected, template=True) == expected and find(expected) == []


@pytest.mark.parametrize(
    "source",
    [
        "{% blocktranslate with v=n %}依据服务规范第{{ v }}版（{{ n }}）{% endblocktranslate %}",
        '{% translate "打印版（含二维码）" %}',
        "<script>alert('保存失败：网络错误')</script>",
        "{# 注释：不显示 #}",
    ],
)
def test_marks_inside_msgids_tags_scripts_and_comments_stay(source):
    assert fix(source, template=True) == source


def test_translated_marks_read_ascii_in_english_and_full_width_in_chinese():
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        '{% load i18n %}{% translate "状态" %}{% translate "：" %}{{ n }}{% translate "（" %}1/2{% translate "）" %}'
        '{% translate "、" %}{% translate "《" %}{% translate "业务办理指南" %}{% translate "》" %}'
    )
    with translation.override("en"):
        assert template.render(Context({"n": 3})) == "Status: 3 (1/2), “Business guide” "
    with translation.override("zh-hans"):
        assert template.render(Context({"n": 3})) == "状态：3（1/2）、《业务办理指南》"


def test_po_rewrite_keeps_a_msgid_repeated_under_another_context():
    """A msgid is dropped only when it repeats in the same context: ``msgctxt "review pack"`` + 问题 (the KPI pack's
    problems) is not the same entry as 问题 (inspections' finding), and ``manage.py fullwidth`` dropped it."""
    from tingwu.management.commands.fullwidth import fix_po

    po = 'msgid "问题"\nmsgstr "Finding"\n\nmsgctxt "review pack"\nmsgid "问题"\nmsgstr "Problems"\n\nmsgid "问题"\nmsgstr "x"'
    assert (
        fix_po(po)
        == 'msgid "问题"\nmsgstr "Finding"\n\nmsgctxt "review pack"\nmsgid "问题"\nmsgstr "Problems"'
    )
