"""Where the CJK font for charts comes from — one place, one clear error.

Charts in the Word briefing carry Chinese department names, so they need a font with full CJK
coverage. The font is a dependency installed by ``pip install -e .``: the PyPI package
``noto-cjk-sans-otc`` ships Google's Noto Sans CJK (SIL OFL 1.1) as an OpenType collection; the
Simplified-Chinese face (Noto Sans CJK SC) is used. Other sources, in order:

1. ``GGZY_CJK_FONT``: a font file (.ttf/.otf/.ttc) chosen by the user, face 0 unless
   ``GGZY_CJK_FONT_INDEX`` says otherwise;
2. the ``noto-cjk-sans-otc`` package (the normal case);
3. Debian/Ubuntu ``fonts-noto-cjk`` and a few other common system locations.

A font that is found must also draw the characters of a probe text (鹤岗市住建局…); otherwise
the next source is tried. No font at all raises :class:`CJKFontMissing` with a Chinese message
that says how to install one.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

PROBE = "鹤岗市住房和城乡建设局违规部门合计"
SC_FACE = "Noto Sans CJK SC"

#: (file, face index) tried after the package; index 2 is SC in the Noto CJK collections
SYSTEM_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
)


class CJKFontMissing(RuntimeError):
    """No font that can draw Chinese was found."""


@dataclass(frozen=True)
class CJKFont:
    path: Path
    index: int  # face index inside a .ttc/.otc collection
    family: str  # family name as the font reports it, e.g. "Noto Sans CJK SC"
    source: str  # "GGZY_CJK_FONT", "noto-cjk-sans-otc" or "system"


def missing_glyphs(font: CJKFont, text: str) -> set[str]:
    """Characters of ``text`` (other than whitespace) that the font cannot draw."""
    from matplotlib.ft2font import FT2Font

    face = FT2Font(str(font.path), face_index=font.index)
    return {ch for ch in set(text) if not ch.isspace() and face.get_char_index(ord(ch)) == 0}


def _package_font() -> tuple[Path, int] | None:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    return Path(str(noto_cjk_sans_otc.FONT_PATH)), 2


def _candidates():
    env = os.environ.get("GGZY_CJK_FONT")
    if env:
        yield Path(env), int(os.environ.get("GGZY_CJK_FONT_INDEX", "0")), "GGZY_CJK_FONT"
    packaged = _package_font()
    if packaged:
        yield *packaged, "noto-cjk-sans-otc"
    for path, index in SYSTEM_CANDIDATES:
        yield Path(path), index, "system"


def _usable(path: Path, index: int) -> str | None:
    """The family name when the face at ``path``/``index`` opens and draws the probe text."""
    from matplotlib.ft2font import FT2Font

    try:
        face = FT2Font(str(path), face_index=index)
    except (OSError, RuntimeError, ValueError):
        return None
    if any(face.get_char_index(ord(ch)) == 0 for ch in PROBE):
        return None
    return face.family_name


@functools.lru_cache(maxsize=1)
def cjk_font() -> CJKFont:
    """The first usable CJK font; raises :class:`CJKFontMissing` when there is none."""
    tried = []
    for path, index, source in _candidates():
        tried.append(str(path))
        if path.is_file() and (family := _usable(path, index)):
            return CJKFont(path=path, index=index, family=family, source=source)
    raise CJKFontMissing(
        "找不到可显示中文的字体，无法绘制简报中的图表。请重新安装本项目（pip install -e .，会安装 "
        "noto-cjk-sans-otc 字体包），或安装系统字体 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
        "或用环境变量 GGZY_CJK_FONT 指定一个中文字体文件。已查找：" + "；".join(tried)
        + " / no CJK font found: reinstall ggzy, install fonts-noto-cjk, or set GGZY_CJK_FONT")
