"""Every interface string goes through gettext, and the translation set-up stays in step."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "eduplatform" / "templates"
PACKAGE = ROOT / "eduplatform"
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_JINJA = re.compile(r"{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}|{#.*?#}", re.DOTALL)
_CSS_FRAGMENT = re.compile(r"^([a-z0-9-]+ )*[a-z0-9]+-$")
_TRANSLATABLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "value", "data-label-start",
                            "data-label-stop"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        # CSS class fragments from blocks (e.g. "audience-") are not interface text.
        if _LETTERS.search(data) and not _CSS_FRAGMENT.match(data.strip()):
            self.found.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _TRANSLATABLE_ATTRIBUTES and value and _LETTERS.search(value):
                self.found.append(f"{tag}[{name}]={value}")


def untranslated_template_text(source: str) -> list[str]:
    """Text left in a template once gettext calls, trans blocks and Jinja code are removed."""
    collector = _TextCollector()
    collector.feed(_JINJA.sub(" ", source))
    return collector.found


@pytest.mark.parametrize("template", sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_untranslated_text(template: Path) -> None:
    assert untranslated_template_text(template.read_text(encoding="utf-8")) == []


def test_the_template_check_catches_plain_text() -> None:
    assert untranslated_template_text("<p>Hello there</p>") == ["Hello there"]
    assert untranslated_template_text('<img alt="A cat">') == ["img[alt]=A cat"]
    assert untranslated_template_text("<p>{{ _('Hello there') }}</p>{% trans %}Fine{% endtrans %}") == []


_USER_FACING_CALLS = {"flash", "ClickException"}
_FIELD_CALLS = {"StringField", "PasswordField", "BooleanField", "SubmitField", "RadioField", "HiddenField",
                "SelectField", "SelectMultipleField", "TextAreaField", "CheckboxesField", "DataRequired",
                "InputRequired", "Length", "EqualTo"}
_GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def untranslated_python_strings(source: str) -> list[str]:
    """Literal strings shown to users without gettext, and gettext calls built with f-strings or %."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in _GETTEXT and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.BinOp, ast.Call)):
            problems.append(f"line {node.lineno}: gettext needs a literal with named placeholders")
        first_is_text = name != "EqualTo"  # EqualTo's first argument is a field name
        literal_args = [a for a in node.args[:1] if first_is_text
                        and isinstance(a, ast.Constant) and isinstance(a.value, str)]
        literal_kwargs = [k.value for k in node.keywords if k.arg in {"message", "label"}
                          and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
        if name == "flash" and literal_args or name in _FIELD_CALLS and (literal_args or literal_kwargs):
            problems.append(f"line {node.lineno}: {name}() is given a literal string")
    return problems


@pytest.mark.parametrize("module", sorted(p for p in PACKAGE.rglob("*.py") if "cli.py" not in p.name),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_user_strings_go_through_gettext(module: Path) -> None:
    assert untranslated_python_strings(module.read_text(encoding="utf-8")) == []


def test_the_python_check_catches_mistakes() -> None:
    assert untranslated_python_strings('flash("Saved")')
    assert untranslated_python_strings('StringField("Name")')
    assert untranslated_python_strings('_(f"Hello {name}")')
    assert untranslated_python_strings('_("Hello %s" % name)')
    assert untranslated_python_strings('flash(_("Saved"))\nStringField(_l("Name"))') == []


def test_babel_cfg_patterns_still_match_files() -> None:
    patterns = re.findall(r"^\[\w+: (.+)\]$", (ROOT / "babel.cfg").read_text(), re.MULTILINE)
    assert patterns
    for pattern in patterns:
        assert list(ROOT.glob(pattern.replace("**.", "**/*."))), f"babel.cfg pattern {pattern} matches nothing"


def test_the_message_catalogue_is_up_to_date() -> None:
    """Run `make translations-update` after adding or changing interface strings."""
    method_map = [("eduplatform/**.py", "python"), ("eduplatform/templates/**.html", "jinja2"),
                  ("eduplatform/templates/**.txt", "jinja2")]
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), method_map=method_map, keywords={"_": None, "_l": None,
                                        "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)})
    }
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        catalogue = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle)}
    catalogue.discard("")
    assert extracted - catalogue == set(), "strings missing from translations/messages.pot"
    assert catalogue - extracted == set(), "stale strings in translations/messages.pot"
