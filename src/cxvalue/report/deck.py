"""The board pack: a 16:9 PowerPoint deck built from finished content.

Nothing here computes a statistic. The caller hands over plain dataclasses —
a :class:`HeadlineSlide` with the value at stake, :class:`FigureSlide` s
with saved figures and their action titles, :class:`TextSlide` s for methods
and caveats — and :func:`write_deck` lays them out in one sober style: white
background, dark grey text, one accent colour (Okabe–Ito blue), a footer with
the deck title and a slide number on every slide but the first.

python-pptx cannot measure text, so the layout uses a small, deliberately
generous estimator (:func:`text_width`, :func:`count_lines`,
:func:`text_height`): glyph widths per character class, taken from DejaVu
Sans — the widest of the usual fallback fonts — and greedy word wrapping.
Font sizes are chosen, and long bullet lists split over slides, so that every
box fits by that estimate; :func:`overflowing_text` re-checks a written deck.

Examples
--------
>>> deck = Deck(
...     title="What NPS is worth",
...     subtitle="Board pack, Q4",
...     date="March 2026",
...     slides=[TextSlide("Method", ["Surveys joined to revenue."], notes="")],
... )
>>> write_deck(deck, tmp / "board.pptx")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Paragraph
from pptx.util import Emu, Inches, Length, Pt

from cxvalue.errors import CxValueError
from cxvalue.figures._frames import keep_units

__all__ = [
    "FigureSlide",
    "HeadlineSlide",
    "TextSlide",
    "Deck",
    "DeckError",
    "write_deck",
    "text_width",
    "count_lines",
    "text_height",
    "fits",
    "overflowing_text",
    "SLIDE_WIDTH_IN",
    "SLIDE_HEIGHT_IN",
]

# ----------------------------------------------------------------------------- content


@dataclass(frozen=True)
class FigureSlide:
    """One saved figure under its action title.

    Attributes
    ----------
    title : str
        The action title: the finding in a sentence, with its number. Wrapped
        over up to two lines (three for very long titles, in smaller type).
    image : Path
        A PNG (or JPEG) file; scaled to the free area keeping its aspect ratio.
    notes : str
        Speaker notes: what to say, and what the figure is adjusted for.
    subtitle : str, optional
        One grey line under the title, e.g. what is shown.
    """

    title: str
    image: Path
    notes: str
    subtitle: str | None = None


@dataclass(frozen=True)
class HeadlineSlide:
    """The "value at stake" slide: two to four big numbers with their intervals.

    Attributes
    ----------
    title : str
        The slide title, e.g. ``"Value at stake"`` or an action title.
    figures : list of (str, str)
        ``(big number text, what it means)``, e.g.
        ``("€482k [€445k–€519k]", "value of one NPS point over 3 years")``.
        A trailing bracketed interval (``[...]`` or ``(...)``) is set on its
        own line below the number, smaller but in full.
    footnote : str
        The assumptions (horizon, discount rate, what is adjusted for, n).
    notes : str
        Speaker notes.
    """

    title: str
    figures: Sequence[tuple[str, str]]
    footnote: str
    notes: str


@dataclass(frozen=True)
class TextSlide:
    """Bullets: methods and caveats. Long lists shrink, then split over slides.

    Attributes
    ----------
    title : str
        Slide title; a continuation slide repeats it with ``" (continued)"``.
    bullets : list of str
        One point each; 10–16 is usual, more are split so nothing overflows.
    notes : str
        Speaker notes (repeated on continuation slides).
    continued : str
        The word for a continuation slide ("fortgesetzt" in German).
    """

    title: str
    bullets: Sequence[str]
    notes: str
    continued: str = "continued"


AnySlide = FigureSlide | HeadlineSlide | TextSlide


@dataclass(frozen=True)
class Deck:
    """A board pack: a title slide, then ``slides`` in order.

    Attributes
    ----------
    title, subtitle, date : str
        Shown on the title slide; ``title`` and ``date`` also in the footer.
    slides : list of FigureSlide, HeadlineSlide or TextSlide
    font : str
        Typeface for every text (default Arial, found on every office machine).
    """

    title: str
    subtitle: str
    date: str
    slides: Sequence[AnySlide] = field(default_factory=list)
    font: str = "Arial"


class DeckError(CxValueError, ValueError):
    """The content cannot be laid out: a title too long, a missing image, no figures."""


# ----------------------------------------------------------------------------- look

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
#: 16:9 widescreen in EMU, exactly as PowerPoint makes it (13.333 × 7.5 in).
_SLIDE_W, _SLIDE_H = Emu(12192000), Emu(6858000)

INK = RGBColor(0x22, 0x22, 0x22)
MUTED = RGBColor(0x59, 0x59, 0x59)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
RULE = RGBColor(0xD9, 0xD9, 0xD9)

#: Line height as a multiple of the font size (set exactly on every paragraph).
LINE_SPACING = 1.2

_SIDE = 0.6  # left/right margin
_ACCENT_TOP, _ACCENT_H, _ACCENT_W = 0.32, 0.06, 1.0
_TITLE_TOP = 0.48
_TITLE_SIZES = (28, 26, 24, 22, 20, 18, 16)
_TITLE_H = 2 * _TITLE_SIZES[0] * LINE_SPACING / 72  # two lines at the largest size
_SUBTITLE_SIZES = (16, 14, 13, 12)
_SUBTITLE_H = 2 * _SUBTITLE_SIZES[-1] * LINE_SPACING / 72 + 0.02
_GAP = 0.2
_FOOTER_TOP, _FOOTER_H, _FOOTER_SIZE = 7.5 - 0.45, 0.25, 10
_BODY_BOTTOM = _FOOTER_TOP - 0.15
_CONTENT_W = SLIDE_WIDTH_IN - 2 * _SIDE

_BULLET_SIZES = (20, 18, 16)  # one slide at one of these ...
_BULLET_SPLIT_SIZES = (18, 17, 16, 15, 14)  # ... else the fewest slides at one of these
_BULLET_INDENT = 0.3
_BULLET_SPACE = 0.35  # space before a bullet, as a multiple of the font size

# ----------------------------------------------------------------------------- estimator

#: Advance widths in em per character class, (regular, bold): the widest glyph
#: of the class in DejaVu Sans, the widest of the usual fallback fonts. Text that
#: fits by this estimate fits in DejaVu, and with room to spare in Arial or Calibri.
_GLYPH_EM = {
    "thin": (0.35, 0.41),  # i j l I J , . : ; ' ’ | / \\
    "slim": (0.42, 0.50),  # f t r ( ) [ ] - !
    "lower": (0.65, 0.73),  # other lower-case letters, " *
    "upper": (0.80, 0.86),  # other capitals
    "digit": (0.64, 0.70),
    "wide": (1.01, 1.11),  # m w M W % @ — …
    "space": (0.32, 0.35),
    "other": (1.01, 1.01),  # € – + = & CJK and anything else
}
_CLASS_OF = {
    **{c: "thin" for c in "ijlIJ,.:;'’|/\\"},
    **{c: "slim" for c in "ftr()[]-!"},
    **{c: "lower" for c in '"*'},
    **{c: "wide" for c in "mwMW%@—…"},
    " ": "space",
}


def _glyph_em(ch: str, bold: bool) -> float:
    cls = _CLASS_OF.get(ch)
    if cls is None:
        if ch.isdigit():
            cls = "digit"
        elif ch.isupper():
            cls = "upper"
        elif ch.islower():
            cls = "lower"
        else:
            cls = "other"
    return _GLYPH_EM[cls][1 if bold else 0]


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Estimated width of one line of ``text`` in inches at ``size_pt``."""
    return sum(_glyph_em(ch, bold) for ch in text) * size_pt / 72


def count_lines(text: str, width_in: float, size_pt: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a box ``width_in`` wide, wrapping greedily at spaces.

    A word longer than a line is broken, as PowerPoint does. Explicit newlines
    (``"\\n"`` or the vertical tab python-pptx writes for a line break) start a
    new line. An empty text takes one line.
    """
    if width_in <= 0:
        raise DeckError(f"A text box must have a positive width, got {width_in} in.")
    width_in += 1e-9  # sums of glyph widths: an exact fit must not wrap by rounding
    lines = 0
    for paragraph in re.split(r"[\n\v]", text):
        line_w = 0.0
        lines += 1
        for i, word in enumerate(paragraph.split(" ")):
            word_w = text_width(word, size_pt, bold)
            space_w = text_width(" ", size_pt, bold) if i else 0.0
            if line_w and line_w + space_w + word_w > width_in:
                lines += 1
                line_w = 0.0
                space_w = 0.0
            if word_w > width_in:  # broken mid-word over several lines
                for ch in word:
                    ch_w = text_width(ch, size_pt, bold)
                    if line_w and line_w + ch_w > width_in:
                        lines += 1
                        line_w = 0.0
                    line_w += ch_w
            else:
                line_w += space_w + word_w
    return lines


@dataclass(frozen=True)
class _Para:
    """One paragraph as the estimator sees it."""

    text: str
    size: float
    bold: bool = False
    space_before: float = 0.0  # points
    indent: float = 0.0  # inches taken from the box width (bullets)


def text_height(
    paragraphs: Iterable[tuple[str, float] | tuple[str, float, bool] | _Para], width_in: float
) -> float:
    """Estimated height in inches of paragraphs ``(text, size_pt[, bold])`` in a box.

    Every paragraph's line height is :data:`LINE_SPACING` × its size, as
    :func:`write_deck` sets it exactly.
    """
    total = 0.0
    for para in paragraphs:
        p = para if isinstance(para, _Para) else _Para(*para)
        n = count_lines(p.text, width_in - p.indent, p.size, p.bold)
        total += p.space_before / 72 + n * p.size * LINE_SPACING / 72
    return total


def fits(text: str, width_in: float, height_in: float, size_pt: float, bold: bool = False) -> bool:
    """Whether ``text`` at ``size_pt`` fits a box of ``width_in`` × ``height_in``."""
    return text_height([_Para(text, size_pt, bold)], width_in) <= height_in + 1e-9


# ----------------------------------------------------------------------------- writer


def write_deck(deck: Deck, path: Path | str) -> Path:
    """Write ``deck`` as a 16:9 PowerPoint file and return its path.

    The first slide is the title slide (title, subtitle, date). Then each
    slide of ``deck.slides`` in order; a :class:`TextSlide` with more bullets
    than fit one slide becomes two or more, titled ``"... (continued)"``.
    Every slide but the first has a footer (deck title · date) and its number.
    ``.pptx`` is appended to ``path`` unless it ends so; missing folders are made.

    Raises
    ------
    DeckError
        An image is missing, a headline slide has no figures or more than four,
        or a title is too long to fit two lines even in 18 pt.
    """
    path = Path(path)
    if path.suffix.lower() != ".pptx":
        path = path.with_name(path.name + ".pptx")
    prs = Presentation()
    prs.slide_width, prs.slide_height = _SLIDE_W, _SLIDE_H
    props = prs.core_properties
    props.title, props.subject = deck.title, deck.subtitle
    props.author = props.last_modified_by = "cxvalue"
    props.revision = 1
    props.keywords = props.comments = props.category = ""

    _title_slide(prs, deck)
    footer = " · ".join(t for t in (deck.title, deck.date) if t)
    for content in deck.slides:
        if isinstance(content, FigureSlide):
            slides = [_figure_slide(prs, content, deck.font)]
        elif isinstance(content, HeadlineSlide):
            slides = [_headline_slide(prs, content, deck.font)]
        elif isinstance(content, TextSlide):
            slides = _text_slides(prs, content, deck.font)
        else:
            raise DeckError(
                f"A deck slide must be a FigureSlide, HeadlineSlide or TextSlide, "
                f"got {type(content).__name__}."
            )
        for slide in slides:
            _footer(slide, footer, prs.slides.index(slide) + 1, deck.font)
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(path)
    return path


# ----------------------------------------------------------------------------- helpers


def _frame(frame: TextFrame, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> TextFrame:
    """No insets, wrapping on, no autofit: the box is exactly what we measured."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.vertical_anchor = anchor
    return frame


def _style(
    paragraph: _Paragraph,
    text: str,
    size: float,
    font: str,
    *,
    bold: bool = False,
    color: RGBColor = INK,
    space_before: float = 0.0,
    align: PP_ALIGN = PP_ALIGN.LEFT,
) -> _Paragraph:
    paragraph.alignment = align
    paragraph.line_spacing = Pt(size * LINE_SPACING)
    paragraph.space_before = Pt(space_before)
    paragraph.space_after = Pt(0)
    run = paragraph.add_run()
    run.text = keep_units(text)  # "35,6 Mio. €" never splits over two lines
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run.font.color.rgb = color
    return paragraph


def _textbox(
    slide: Slide, left: float, top: float, width: float, height: float, name: str
) -> TextFrame:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    box.name = name
    return _frame(box.text_frame)


def _accent_bar(slide: Slide, left: float, top: float, width: float, height: float) -> None:
    bar = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height)
    )
    bar.name = "Accent"
    bar.fill.solid()
    bar.fill.fore_color.rgb = ACCENT
    bar.line.fill.background()
    bar.shadow.inherit = False
    style = bar._element.find(qn("p:style"))  # the theme style adds a shadow in some viewers
    if style is not None:
        bar._element.remove(style)


def _first_fitting(
    sizes: Sequence[float], ok: Callable[[float], bool], what: str, text: str
) -> float:
    """The first of ``sizes`` (largest first) for which ``ok(size)``, else a DeckError."""
    for size in sizes:
        if ok(size):
            return size
    raise DeckError(
        f"The {what} is too long to fit its box even at {sizes[-1]} pt "
        f"({len(text)} characters): shorten it. Text: {text[:80]!r}..."
    )


def _title_fit(title: str) -> tuple[float, float]:
    """Font size of a slide title (the largest that fits the two-line box), and its height."""
    size = _first_fitting(
        _TITLE_SIZES,
        lambda s: fits(title, _CONTENT_W, _TITLE_H, s, bold=True),
        "slide title",
        title,
    )
    return size, text_height([_Para(title, size, True)], _CONTENT_W)


def _set_title(slide: Slide, title: str, font: str, compact: bool = False) -> float:
    """Fill the layout's title placeholder and return its bottom.

    The box holds two lines at the largest title size (the title shrinks to
    fit it); ``compact`` makes it only as tall as the title's own lines.
    """
    size, used = _title_fit(title)
    height = used if compact else _TITLE_H
    shape = slide.shapes.title
    shape.left, shape.top = Inches(_SIDE), Inches(_TITLE_TOP)
    shape.width, shape.height = Inches(_CONTENT_W), Inches(height)
    frame = _frame(shape.text_frame, MSO_ANCHOR.TOP)
    frame.clear()
    _style(frame.paragraphs[0], title, size, font, bold=True)
    _accent_bar(slide, _SIDE, _ACCENT_TOP, _ACCENT_W, _ACCENT_H)
    return _TITLE_TOP + height


def _content_slide(
    prs: PresentationType, title: str, notes: str, font: str, compact: bool = False
) -> tuple[Slide, float]:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title, for outline
    _remove_empty_placeholders(slide, keep_title=True)
    bottom = _set_title(slide, title, font, compact)
    if notes:
        slide.notes_slide.notes_text_frame.text = notes
    return slide, bottom


def _remove_empty_placeholders(slide: Slide, keep_title: bool = False) -> None:
    for ph in list(slide.placeholders):
        if keep_title and ph.placeholder_format.idx == 0:
            continue
        if not ph.has_text_frame or not ph.text_frame.text:
            ph._element.getparent().remove(ph._element)


def _footer(slide: Slide, text: str, number: int, font: str) -> None:
    width = _CONTENT_W - 1.0
    size = _first_fitting(
        (_FOOTER_SIZE, 9, 8), lambda s: fits(text, width, _FOOTER_H, s), "deck title", text
    )
    frame = _textbox(slide, _SIDE, _FOOTER_TOP, width, _FOOTER_H, "Footer")
    _style(frame.paragraphs[0], text, size, font, color=MUTED)
    num = _textbox(slide, SLIDE_WIDTH_IN - _SIDE - 0.8, _FOOTER_TOP, 0.8, _FOOTER_H, "Slide number")
    para = _style(num.paragraphs[0], str(number), _FOOTER_SIZE, font, color=MUTED)
    para.alignment = PP_ALIGN.RIGHT
    _as_slide_number_field(para)


def _as_slide_number_field(paragraph: _Paragraph) -> None:
    """Turn the paragraph's one run into a slide-number field (shows the current number)."""
    run = paragraph._p.find(qn("a:r"))
    fld = etree.SubElement(paragraph._p, qn("a:fld"))
    fld.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
    fld.set("type", "slidenum")
    for child in list(run):
        fld.append(child)
    run.addprevious(fld)
    paragraph._p.remove(run)


# ----------------------------------------------------------------------------- slides


def _title_slide(prs: PresentationType, deck: Deck) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide": title + subtitle
    title_ph, subtitle_ph = slide.placeholders[0], slide.placeholders[1]
    width, top = _CONTENT_W, 2.3
    title_h = 2 * 40 * LINE_SPACING / 72
    size = _first_fitting(
        (40, 36, 32, 28), lambda s: fits(deck.title, width, title_h, s, True), "deck title",
        deck.title,
    )  # fmt: skip
    title_ph.left, title_ph.top = Inches(_SIDE), Inches(top)
    title_ph.width, title_ph.height = Inches(width), Inches(title_h)
    frame = _frame(title_ph.text_frame, MSO_ANCHOR.BOTTOM)
    frame.clear()
    _style(frame.paragraphs[0], deck.title, size, deck.font, bold=True)
    _accent_bar(slide, _SIDE, top + title_h + 0.2, 1.6, 0.08)

    sub_top = top + title_h + 0.45
    sub_h = SLIDE_HEIGHT_IN - 0.8 - sub_top
    paras = [(deck.subtitle, 22.0), (deck.date, 16.0)]
    scale = _first_fitting(
        (1.0, 0.9, 0.8, 0.7),
        lambda k: text_height([_Para(t, s * k, space_before=8 * k) for t, s in paras], width)
        <= sub_h,
        "deck subtitle", deck.subtitle,
    )  # fmt: skip
    subtitle_ph.left, subtitle_ph.top = Inches(_SIDE), Inches(sub_top)
    subtitle_ph.width, subtitle_ph.height = Inches(width), Inches(sub_h)
    frame = _frame(subtitle_ph.text_frame, MSO_ANCHOR.TOP)
    frame.clear()
    first = True
    for text, base in paras:
        if not text:
            continue
        para = frame.paragraphs[0] if first else frame.add_paragraph()
        _style(para, text, base * scale, deck.font, color=MUTED, space_before=8 * scale)
        first = False
    _remove_empty_placeholders(slide)
    return slide


def _figure_slide(prs: PresentationType, content: FigureSlide, font: str) -> Slide:
    image = Path(content.image)
    if not image.is_file():
        raise DeckError(f"The figure for slide {content.title!r} was not found: {image}.")
    slide, top = _content_slide(prs, content.title, content.notes, font)
    if content.subtitle:
        text = content.subtitle
        size = _first_fitting(
            _SUBTITLE_SIZES, lambda s: fits(text, _CONTENT_W, _SUBTITLE_H, s), "subtitle", text
        )
        sub_h = text_height([(text, size)], _CONTENT_W)
        frame = _textbox(slide, _SIDE, top + 0.05, _CONTENT_W, _SUBTITLE_H, "Subtitle")
        _style(frame.paragraphs[0], text, size, font, color=MUTED)
        top += 0.05 + sub_h
    top += _GAP
    with Image.open(image) as img:
        px_w, px_h = img.size
    area_w, area_h = _CONTENT_W, _BODY_BOTTOM - top
    scale = min(area_w / px_w, area_h / px_h)
    w, h = px_w * scale, px_h * scale
    left = _SIDE + (area_w - w) / 2
    pic_top = top + (area_h - h) / 2
    pic = slide.shapes.add_picture(str(image), Inches(left), Inches(pic_top), Inches(w), Inches(h))
    pic.name = "Figure"
    pic._element.nvPicPr.cNvPr.set("descr", content.title)  # alt text: the finding, not a file
    return slide


def _split_interval(text: str) -> tuple[str, str]:
    """``"€482k [€445k–€519k]"`` → ``("€482k", "[€445k–€519k]")``; no interval → (text, "")."""
    m = re.match(r"^(.*?\S)\s*([\[(][^\[\]()]*[\])])\s*$", text.strip())
    return (m.group(1), m.group(2)) if m else (text.strip(), "")


def _headline_slide(prs: PresentationType, content: HeadlineSlide, font: str) -> Slide:
    figures = list(content.figures)
    if not 1 <= len(figures) <= 4:
        raise DeckError(
            f"A headline slide takes 1 to 4 figures (2-4 read best), got {len(figures)}."
        )
    slide, top = _content_slide(prs, content.title, content.notes, font)
    top += 0.35

    # Footnote first: it gets the foot of the slide, the cards what is left.
    foot_w, foot_max_h = _CONTENT_W, 1.3
    note = content.footnote
    foot_size = _first_fitting(
        (14, 13, 12, 11, 10), lambda s: fits(note, foot_w, foot_max_h, s), "footnote", note
    )
    foot_h = text_height([(note, foot_size)], foot_w) if note else 0.0
    foot_top = _BODY_BOTTOM - foot_h

    gap, n = 0.4, len(figures)
    card_w = (_CONTENT_W - gap * (n - 1)) / n
    card_top = top + 0.2  # under the accent rule
    card_h = foot_top - 0.35 - card_top
    parts = [(*_split_interval(big), meaning) for big, meaning in figures]

    # The number on one line, the same size on every card; likewise the interval.
    value_size = _first_fitting(
        (54, 48, 44, 40, 36, 32, 28, 24, 20),
        lambda s: all(count_lines(v, card_w, s, True) == 1 for v, _, _ in parts),
        "headline number", max((v for v, _, _ in parts), key=len),
    )  # fmt: skip
    # an interval too long for one line even at the smallest size wraps (the cards'
    # height is checked below) rather than costing the whole deck
    iv_sizes = tuple(range(min(28, int(value_size * 0.55)), 11, -2))
    iv_size = next(
        (s for s in iv_sizes if all(count_lines(i, card_w, s, True) <= 1 for _, i, _ in parts)),
        iv_sizes[-1],
    )

    def paras(meaning_size: float) -> list[list[_Para]]:
        return [
            [_Para(v, value_size, True)]
            + ([_Para(i, iv_size, True, 2)] if i else [])
            + [_Para(m, meaning_size, False, 12)]
            for v, i, m in parts
        ]

    meaning_size = _first_fitting(
        (20, 18, 16, 14, 12),
        lambda s: all(text_height(ps, card_w) <= card_h for ps in paras(s)),
        "headline meaning", max((m for *_, m in parts), key=len),
    )  # fmt: skip
    for k, card in enumerate(paras(meaning_size)):
        left = _SIDE + k * (card_w + gap)
        _accent_bar(slide, left, top, card_w, 0.05)
        frame = _textbox(slide, left, card_top, card_w, card_h, f"Headline {k + 1}")
        for j, p in enumerate(card):
            para = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            color = ACCENT if j == 0 else INK
            _style(
                para, p.text, p.size, font, bold=p.bold, color=color, space_before=p.space_before
            )
    if note:
        frame = _textbox(slide, _SIDE, foot_top, foot_w, foot_h + 0.02, "Footnote")
        _style(frame.paragraphs[0], note, foot_size, font, color=MUTED)
    return slide


def _bullet_paras(bullets: Sequence[str], size: float) -> list[_Para]:
    return [
        _Para(b, size, False, _BULLET_SPACE * size if i else 0.0, _BULLET_INDENT)
        for i, b in enumerate(bullets)
    ]


def _greedy_pages(
    bullets: Sequence[str], size: float, width: float, height: float
) -> list[list[str]] | None:
    """Fill pages in order; None if a bullet fits no page on its own."""
    pages: list[list[str]] = [[]]
    for bullet in bullets:
        trial = [*pages[-1], bullet]
        if text_height(_bullet_paras(trial, size), width) <= height:
            pages[-1] = trial
        elif pages[-1] and text_height(_bullet_paras([bullet], size), width) <= height:
            pages.append([bullet])
        else:
            return None
    return pages


def _paginate(bullets: Sequence[str], width: float, height: float) -> tuple[float, list[list[str]]]:
    """Bullets to pages: one page at the largest size that fits; else the fewest pages
    (at the largest size giving that many), with the bullets spread evenly over them."""
    for size in _BULLET_SIZES:
        if text_height(_bullet_paras(bullets, size), width) <= height:
            return float(size), [list(bullets)]
    best: tuple[int, float, list[list[str]]] | None = None
    for size in _BULLET_SPLIT_SIZES:
        if best is not None and size < _BULLET_SIZES[-1]:
            break  # below 16 pt only when a bullet fits no slide at 16 pt
        pages = _greedy_pages(bullets, size, width, height)
        if pages is not None and (best is None or len(pages) < best[0]):
            best = (len(pages), float(size), pages)
    if best is None:
        raise DeckError(
            "A bullet is too long to fit a whole slide even at "
            f"{_BULLET_SPLIT_SIZES[-1]} pt: split it into shorter points."
        )
    n, size, pages = best
    # Spread evenly: the smallest page height that still needs only n pages.
    lo, hi = 0.0, height
    for _ in range(30):
        mid = (lo + hi) / 2
        trial = _greedy_pages(bullets, size, width, mid)
        if trial is not None and len(trial) <= n:
            hi, pages = mid, trial
        else:
            lo = mid
    return size, pages


def _text_slides(prs: PresentationType, content: TextSlide, font: str) -> list[Slide]:
    titles = [content.title, f"{content.title} ({content.continued})"]
    top = _TITLE_TOP + max(_title_fit(t)[1] for t in titles) + 0.3
    width, height = _CONTENT_W, _BODY_BOTTOM - top
    bullets = [b.strip() for b in content.bullets if b and b.strip()]
    size, pages = _paginate(bullets, width, height) if bullets else (20.0, [[]])
    slides = []
    for k, page in enumerate(pages):
        slide, _ = _content_slide(prs, titles[min(k, 1)], content.notes, font, compact=True)
        if page:
            frame = _textbox(slide, _SIDE, top, width, height, "Bullets")
            for i, p in enumerate(_bullet_paras(page, size)):
                para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                _style(para, p.text, p.size, font, space_before=p.space_before)
                _bullet(para, p.indent)
        slides.append(slide)
    return slides


def _bullet(paragraph: _Paragraph, indent_in: float) -> None:
    """A round accent bullet with a hanging indent of ``indent_in``."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", str(Inches(indent_in)))
    ppr.set("indent", str(-Inches(indent_in)))
    clr = etree.SubElement(ppr, qn("a:buClr"))
    srgb = etree.SubElement(clr, qn("a:srgbClr"))
    srgb.set("val", str(ACCENT))
    etree.SubElement(ppr, qn("a:buFont")).set("typeface", "Arial")
    etree.SubElement(ppr, qn("a:buChar")).set("char", "•")


# ----------------------------------------------------------------------------- checking


def _length_in(value: Length | int | None) -> float:
    return 0.0 if value is None else Emu(int(value)).inches


def overflowing_text(source: PresentationType | Path | str) -> list[str]:
    """Text boxes of a deck whose estimated text height exceeds the box; ``[]`` if none.

    Reads every shape with text: its size and insets, and for each paragraph
    the largest run size, boldness, line spacing, space before and left
    margin. Runs without an explicit size count as 18 pt. Also reports any
    shape that sticks out of the slide.
    """
    prs = Presentation(str(source)) if isinstance(source, (str, Path)) else source
    slide_w, slide_h = _length_in(prs.slide_width), _length_in(prs.slide_height)
    problems = []
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            left, top = _length_in(shape.left), _length_in(shape.top)
            w, h = _length_in(shape.width), _length_in(shape.height)
            if left < -1e-6 or top < -1e-6 or left + w > slide_w + 1e-6 or top + h > slide_h + 1e-6:
                problems.append(f"slide {number}, {shape.name!r}: outside the slide")
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            frame = shape.text_frame
            inner_w = w - _length_in(frame.margin_left) - _length_in(frame.margin_right)
            inner_h = h - _length_in(frame.margin_top) - _length_in(frame.margin_bottom)
            used = 0.0
            for i, para in enumerate(frame.paragraphs):
                runs = list(para.runs)
                text = "".join(r.text for r in runs) or para.text
                sizes = [r.font.size.pt for r in runs if r.font.size is not None] or [18.0]
                size = max(sizes)
                bold = any(bool(r.font.bold) for r in runs)
                ppr = para._p.pPr
                indent = _length_in(int(ppr.get("marL", 0))) if ppr is not None else 0.0
                spacing = para.line_spacing
                line_h = (
                    spacing.pt / 72
                    if isinstance(spacing, Length)
                    else (spacing or LINE_SPACING) * size / 72
                )
                before = para.space_before.pt / 72 if para.space_before is not None else 0.0
                n = count_lines(text, inner_w - indent, size, bold)
                used += (before if i else 0.0) + n * line_h
            if used > inner_h + 1e-6:
                problems.append(
                    f"slide {number}, {shape.name!r}: text needs {used:.2f} in, "
                    f"box has {inner_h:.2f} in"
                )
    return problems
