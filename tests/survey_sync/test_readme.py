"""The README reader: the list's real shapes, and every line it cannot place reported."""

from pathlib import Path

from api.services.survey_sync.readme import heading_key, parse_readme

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "survey_sync"
README = (FIXTURES / "README.md").read_text(encoding="utf-8")


def test_the_survey_readme_is_read_whole() -> None:
    parsed = parse_readme(README)
    assert parsed.unparsed == []
    assert parsed.new_sections == []
    assert len(parsed.tables) == 17
    assert [len(parsed.tables[n].rows) for n in ("overview", "hardware-matrix")] == [25, 25]
    assert parsed.tables["optimization-matrix"].headers[:3] == [
        "Framework",
        "Dynamic Batching",
        "Continuous Batching",
    ]
    vllm = next(b for b in parsed.bullets if b.name == "vLLM")
    assert [link.url for link in vllm.urls_labelled("paper")] == [
        "https://arxiv.org/abs/2309.06180"
    ]
    # An engine with no link of its own is named by the words before its first emoji.
    prefill = next(b for b in parsed.bullets if b.name == "PrefillOnly")
    assert prefill.links[0].url == "https://arxiv.org/abs/2505.07203"
    assert {b.name for b in parsed.bullets if b.section == "commercial"} == {
        "Fireworks AI",
        "Friendli Inference",
        "GroqCloud",
        "Together Inference",
    }


def test_headings_are_known_by_their_words_whatever_emoji_they_wear() -> None:
    assert heading_key("🔓🔓 Open-Source Inference Engines ✨") == "open source inference engines"
    assert heading_key("📌 Optimization Coverage Matrix") == "optimization coverage matrix"


def test_rough_shapes_read_as_the_same_facts() -> None:
    parsed = parse_readme((FIXTURES / "rough_shape.md").read_text(encoding="utf-8"))
    assert parsed.unparsed == []
    ollama = next(b for b in parsed.bullets if b.name == "Ollama")
    assert ollama.links[0].url == "https://github.com/ollama/ollama"
    # The bullet glued to the next heading is a bullet, and the heading still opens a section.
    assert [b.name for b in parsed.bullets].count("GroqCloud") == 2
    assert "overview" in parsed.tables


def test_a_malformed_table_is_reported_line_by_line() -> None:
    text = "\n".join(
        [
            "## 📌 Optimization Coverage Matrix",
            "",
            "| Framework | Dynamic Batching |",
            "| Ollama | ✅ |",
            "",
            "## 🧮 Numeric Precision Support Matrix",
            "| Framework | FP32 | FP16 |",
            "|---|---|---|",
            "| vLLM | ✅ |",
            "|  | ✅ | ✅ |",
            "| SGLang | ✅ | ✅ |",
        ]
    )
    parsed = parse_readme(text)
    assert [(u.line, u.reason) for u in parsed.unparsed] == [
        (3, "a table needs a header and a --- row"),
        (9, "2 cells where the header has 3"),
        (10, "a row without a name"),
    ]
    assert [row.cells for row in parsed.tables["precision-matrix"].rows] == [["SGLang", "✅", "✅"]]


def test_a_new_section_is_reported_as_a_new_kind_of_entry() -> None:
    parsed = parse_readme("## 🚪 LLM Gateways\n\n- [LiteLLM](https://github.com/BerriAI/litellm)\n")
    assert [(s.heading, s.line) for s in parsed.new_sections] == [("🚪 LLM Gateways", 1)]
    assert parsed.bullets == []


def test_pipes_escaped_and_spaces_in_labels_are_cell_content() -> None:
    parsed = parse_readme(
        "### 🧩 Batch Optimization\n"
        "| Technique | Description | References |\n"
        "|---|---|---|\n"
        "| A \\| B | x | [Sheng et al. (2023) ](https://arxiv.org/abs/2311.03285) |\n"
    )
    # Outside the techniques part a batch table is not a survey table: nothing is read.
    assert parsed.tables == {}
    parsed = parse_readme("## 🛠 Optimization Techniques\n" + parsed_text_tail())
    row = parsed.tables["techniques-batch-optimization"].rows[0]
    assert row.cells == ["A | B", "x", "[Sheng et al. (2023)](https://arxiv.org/abs/2311.03285)"]


def parsed_text_tail() -> str:
    return (
        "## 🧩 Batch Optimization\n"
        "| Technique | Description | References |\n"
        "|---|---|---|\n"
        "| A \\| B | x | [Sheng et al.  (2023) ](https://arxiv.org/abs/2311.03285) |\n"
    )
