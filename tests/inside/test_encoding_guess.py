"""likely_encodings(): the encoding a file Python refused as not UTF-8 was most likely saved in."""

from __future__ import annotations

import pytest

from grader.inside.encoding_guess import likely_encodings

CASES = [
    ("French literal", 'NOTE = "précis, réseau à côté"\n', "cp1252", ("cp1252",)),
    ("German, two accented letters together", "# Müßiggang über Größe\n", "cp1252", ("cp1252",)),
    ("Spanish and curly quotes", 'print("¿Qué tal?") # it’s “fine” – ok\n', "cp1252", ("cp1252",)),
    ("Japanese with kana", "# ニューラルネットの勾配を計算する\n", "cp932", ("shift_jis",)),
    ("Chinese", "# 计算神经网络的梯度\n", "gbk", ("gbk",)),
    ("Korean", "# 신경망 기울기 계산\n", "cp949", ("gbk", "cp949")),
    ("Japanese kanji alone", "# 作者: 山田\n", "cp932", ("gbk", "shift_jis")),
    # s12 review: a kana text with one of JIS's symbols (an arrow, a reference mark, a circled digit, a
    # times sign) was read as GBK alone and told `coding: gbk`
    ("Japanese with an arrow", "# 勾配を計算する → 逆伝播\n", "cp932", ("shift_jis",)),
    ("Japanese with a reference mark", "# ※注意: 勾配を計算する\n", "cp932", ("shift_jis",)),
    ("Japanese with a circled digit", "# 手順①: 勾配を計算する\n", "cp932", ("shift_jis",)),
    ("Japanese with a times sign", "# 値は5×3の行列\n", "cp932", ("shift_jis",)),
]


@pytest.mark.parametrize(("text", "codec", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_bytes_are_read_as_the_encoding_that_wrote_them(
    text: str, codec: str, want: tuple[str, ...]
) -> None:
    """Each text saved in its language's Windows encoding gets that encoding among its guesses, and Latin
    text never gets shift_jis (the hint suggested shift_jis for every file)."""
    assert tuple(g.codec for g in likely_encodings(text.encode(codec))) == want


def test_bytes_no_encoding_reads_plausibly_get_no_guess() -> None:
    """Control: stray bytes (no script's letters) and plain ASCII give no guess."""
    assert likely_encodings(b"x = 1  # \xff\xfe\x80\x81\x82\n") == ()
    assert likely_encodings(b"x = 1\n") == ()


@pytest.mark.parametrize(
    "text", ["# 计算神经网络的梯度 → 反向传播\n", "# 计算：梯度×2，见①\n", "# 计算神经网络的梯度\n"]
)
def test_chinese_text_with_symbols_is_never_read_as_shift_jis(text: str) -> None:
    """Control for the JIS symbols Shift_JIS now allows: GBK text read as Shift_JIS is half-width kana,
    which it still does not allow."""
    assert "shift_jis" not in {g.codec for g in likely_encodings(text.encode("gbk"))}
