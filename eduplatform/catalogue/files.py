"""Reading content files: YAML, Markdown front matter, version hashes, and problem collection."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """Something wrong in one content file."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ContentError(Exception):
    """The content could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the content:"] + [f"  {problem}" for problem in problems]
        super().__init__("\n".join(lines))


@dataclass
class Problems:
    """Collects problems while loading so that one run reports all of them."""

    root: Path
    found: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, message: str) -> None:
        shown = path
        if isinstance(path, Path):
            try:
                shown = path.resolve().relative_to(self.root.resolve())
            except ValueError:
                shown = path
        self.found.append(Problem(str(shown), message))


#: libyaml's parser when PyYAML has it (its wheels do): the same safe loading, many times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Parse YAML safely (no arbitrary objects)."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader)


def version_of(data: bytes) -> str:
    """The version of a content file: the start of the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:12]


def read_yaml(path: Path, problems: Problems) -> Any:
    """Parse a YAML file, reporting a problem (and returning None) when it cannot be read."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, f"cannot be read ({exc})")
    except yaml.YAMLError as exc:
        problems.add(path, f"is not valid YAML ({exc})".replace("\n", " "))
    return None


def split_front_matter(source: str) -> tuple[str, str]:
    """Split ``---``-delimited YAML front matter from a Markdown body."""
    if not source.startswith("---"):
        return "", source
    lines = source.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    return "", source


def read_markdown(path: Path, problems: Problems) -> tuple[dict[str, Any], str, str] | None:
    """Read a Markdown file with front matter: (front matter, body, version)."""
    try:
        data = path.read_bytes()
        source = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, f"cannot be read ({exc})")
        return None
    front_text, body = split_front_matter(source)
    try:
        front = safe_load(front_text) if front_text.strip() else {}
    except yaml.YAMLError as exc:
        problems.add(path, f"has front matter that is not valid YAML ({exc})".replace("\n", " "))
        return None
    if not isinstance(front, dict):
        problems.add(path, "front matter must be a mapping of keys to values")
        return None
    return front, body, version_of(data)


def check_keys(path: Path, where: str, mapping: dict[str, Any], required: set[str], optional: set[str],
               problems: Problems) -> bool:
    """Report missing and unknown keys of a mapping; True when none are missing."""
    missing = sorted(required - mapping.keys())
    unknown = sorted(mapping.keys() - required - optional)
    for key in missing:
        problems.add(path, f"{where}: missing '{key}'")
    for key in unknown:
        problems.add(path, f"{where}: unknown key '{key}'")
    return not missing
