"""The series-options class handed to pygal (`chart_drawing._SerieConfig`, which lists its
option names once) must draw exactly what pygal's own draws."""

import pygal.config
import pygal.graph.base
import pytest
from sqlmodel import Session

from api.services import charts
from api.services.chart_drawing import _SerieConfig, render_svg

RADAR = ["vllm", "llama-cpp", "tensorrt-llm"]


def test_the_series_options_have_pygals_names() -> None:
    assert pygal.graph.base.SerieConfig is _SerieConfig
    assert dir(_SerieConfig()) == dir(pygal.config.SerieConfig())
    configured = _SerieConfig(stroke=False, show_dots=True)
    assert (configured.stroke, configured.show_dots, configured.dots_size) == (False, True, 2.5)


def _every_chart(session: Session) -> dict[str, bytes]:
    return {
        entry.name: render_svg(
            charts.chart(session, entry.name, RADAR if entry.name == "radar" else ())
        )
        for entry in charts.chart_index(session)
    }


def test_every_chart_is_drawn_byte_for_byte_as_pygal_draws_it(session: Session) -> None:
    ours = _every_chart(session)
    assert len(ours) >= 12
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pygal.graph.base, "SerieConfig", pygal.config.SerieConfig)
        theirs = _every_chart(session)
    assert pygal.graph.base.SerieConfig is _SerieConfig
    assert ours == theirs
