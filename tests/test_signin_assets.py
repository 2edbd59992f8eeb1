"""The sign-in pictures: one file per secret picture and avatar, small, safe and accessible."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from eduplatform.signin.pictures import AVATARS, SECRET_PICTURES

FOLDER = Path(__file__).resolve().parent.parent / "static" / "img" / "signin"
SVG = "{http://www.w3.org/2000/svg}"
FILES = [f"{picture}.svg" for picture in SECRET_PICTURES] + [f"avatar-{avatar}.svg" for avatar in AVATARS]
MAX_BYTES = 3 * 1024


def test_every_picture_and_avatar_has_a_file_and_there_are_no_others() -> None:
    assert sorted(path.name for path in FOLDER.glob("*.svg")) == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_each_picture_is_small_accessible_and_safe(name: str) -> None:
    source = (FOLDER / name).read_text(encoding="utf-8")
    assert len(source.encode()) < MAX_BYTES
    root = ElementTree.fromstring(source)  # noqa: S314 (our own files)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox") or "")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text and title.text.strip()
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "text", "image", "foreignObject", "a", "use", "style"}
    assert not re.search(r"\bon\w+=|href|url\(|https?:", source.replace('xmlns="http://www.w3.org/2000/svg"', ""))


def test_the_pictures_are_different_files() -> None:
    contents = [(FOLDER / name).read_bytes() for name in FILES]
    assert len(set(contents)) == len(contents)
