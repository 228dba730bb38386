"""The style family: exact values on small hand-made texts."""

from __future__ import annotations

from slopsift.document import parse
from slopsift.signals import style


def test_an_unspaced_em_dash_counts_as_a_dash_and_separates_words() -> None:
    # The chat-model "word\u2014word" dash was folded to "-" and read as a hyphen: no dash counted and
    # one word lost per dash. Folded to "--", it reads as an ASCII typist's dash.
    em = "It came once\u2014it was late. Then\u2014quietly\u2014it left."
    doc = parse(em)
    assert len(doc.words) == 10
    values = style.compute_values(doc)
    assert values["dashes_per_1k"] == 300.0  # three dashes in ten words
    assert values == style.compute_values(parse(em.replace("\u2014", "--")))
    # A spaced em or en dash counts once, as " - " did; a hyphen or a range counts none.
    assert (
        style.compute_values(parse("One \u2014 two \u2013 three four five six seven eight nine ten."))[
            "dashes_per_1k"
        ]
        == 200.0
    )
    assert (
        style.compute_values(parse("A well-known 1990\u20132000 range, pages 3\u20135, and more words."))[
            "dashes_per_1k"
        ]
        == 0.0
    )
