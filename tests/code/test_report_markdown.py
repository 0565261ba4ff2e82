"""report.md from crafted inputs: tables, params, images, data sections and missing pieces."""

from __future__ import annotations

from churn.comparison import MetricRow, ParamRow
from churn.report_markdown import ReportInputs, render_report, without_images

FILE = "metrics/evaluate/metrics.json"
THRESHOLDS = {  # params.yaml's drift section
    "min_rows": 500,
    "small_sample_rows": 1000,
    "share_drifted": 0.1,
    "p_value": 0.01,
    "psi": 0.2,
    "wasserstein": 0.1,
    "js": 0.1,
    "unseen_share": 0.01,
    "missing_rate_change": 0.05,
    "weighted": 0.03,
}


def inputs(**changes) -> ReportInputs:
    base = {
        "base": "origin/main",
        "new": "workspace",
        "verdict": "ROC AUC +0.0100 (0.8000 → 0.8100), no metric worse than its tolerance",
        "metrics": [
            MetricRow(FILE, "test.roc_auc", 0.80, 0.81),
            MetricRow(FILE, "test.brier", 0.14, 0.15),
            MetricRow(FILE, "confusion.tp", 100, 90),
        ],
        "params": [ParamRow("params.yaml", "train.max_depth", 4, 2)],
        "images": {"ROC curve (test)": "roc.png"},
    }
    return ReportInputs(**(base | changes))


def test_report_has_verdict_tables_params_and_relative_images():
    text = render_report(inputs())
    assert text.startswith(
        "# Model report: `workspace` vs `origin/main`\n\n**Verdict:** ROC AUC +0.01"
    )
    assert "| test.roc_auc | 0.8000 | 0.8100 | +0.0100 | +1.3% | ✅ better |" in text
    assert "| test.brier | 0.1400 | 0.1500 | +0.0100 | +7.1% | ❌ worse |" in text
    assert "| confusion.tp | 100 | 90 | -10 | -10.0% |  |" in text
    assert "| train.max_depth | 4 | 2 |" in text
    assert "![ROC curve (test)](roc.png)" in text
    assert "## Data" not in text and "## Not available" not in text


def test_the_summary_page_names_the_images_it_cannot_show():
    """The run's summary page showed report.md's relative image links as broken images."""
    text = render_report(inputs(images={"ROC curve (test)": "roc.png", "Calibration": "c.png"}))
    summary = without_images(text)
    assert "![" not in summary and "roc.png" not in summary
    where = "see the pull-request comment (none on a fork's pull request) or report/ where built"
    assert f"*ROC curve (test): a plot, not shown here: {where}*" in summary
    kept = [line for line in summary.splitlines() if "a plot, not shown here" not in line]
    assert kept == [line for line in text.splitlines() if not line.startswith("![")]


def test_first_report_without_base_metrics_plots_or_params():
    text = render_report(
        inputs(
            metrics=[MetricRow(FILE, "test.roc_auc", None, 0.81)],
            params=[],
            images={},
            missing=["ROC curve (test): `roc.json` missing in base"],
        )
    )
    assert "| test.roc_auc | — | 0.8100 | — | — | new metric |" in text
    assert "No params changed." in text
    assert "## Plots" not in text
    assert "## Not available\n\n- ROC curve (test): `roc.json` missing in base" in text


def test_params_are_shown_as_written_not_rounded():
    """The params table rounded like metrics: a drift threshold of 1e-06 read 0.0000, a learning
    rate of 5e-05 read 0.0001; an empty text was a blank cell, and a slice query's `|` split
    its row into extra columns."""
    rows = [
        ParamRow("params.yaml", "drift.psi", 0.2, 1e-06),
        ParamRow("params.yaml", "train.learning_rate", 0.05, 5e-05),
        ParamRow("params.yaml", "ingest.files", "*.csv", ""),
        ParamRow("params.yaml", "evaluate.slices.at_risk", None, "a < 3 | b == 'x'"),
        ParamRow("params.yaml", "train.balance_classes", True, False),
    ]
    text = render_report(inputs(params=rows))
    assert "| drift.psi | 0.2 | 1e-06 |" in text
    assert "| train.learning_rate | 0.05 | 5e-05 |" in text
    assert '| ingest.files | \\*.csv | "" |' in text  # `*` escaped: it could start emphasis
    assert "| evaluate.slices.at_risk | — | a < 3 \\\\| b == 'x' |" in text
    assert "| train.balance_classes | true | false |" in text


def test_a_slice_name_holding_a_pipe_keeps_its_table_rows_whole():
    """A slice named "mobile|tablet" split its metric and param rows into extra columns. Written
    `\\|`, it still did in the comment: CML rewrites the report through a markdown library
    without tables (remark 13 without GFM), which writes the pipe back bare; `\\\\|` it keeps, and
    GitHub's tables (as markdown-it's) show it as `|`."""
    metrics = [MetricRow(FILE, "slices.mobile|tablet.roc_auc", 0.8, 0.81)]
    params = [ParamRow("params.yaml", "evaluate.slices.mobile|tablet", None, "device != 'x'")]
    text = render_report(inputs(metrics=metrics, params=params))
    assert "| slices.mobile\\\\|tablet.roc_auc | 0.8000 | 0.8100 |" in text
    assert "| evaluate.slices.mobile\\\\|tablet | — | device != 'x' |" in text
    cells = [t.content for t in parsed(text) if t.type == "inline" and "tablet" in t.content]
    rendered = [t.content for t in parsed(text) if t.type == "text" and "tablet" in t.content]
    assert len(cells) == 2 and rendered == [
        "slices.mobile|tablet.roc_auc",
        "evaluate.slices.mobile|tablet",
    ]
    drift = {"drift": True, "features": {"plan|tier": {"drifted": True, "psi": 0.5}}}
    text = render_report(inputs(data={"drift": drift}))
    assert "| plan\\\\|tier | " in text


def test_metrics_on_different_test_rows_are_flagged_under_the_verdict():
    """New data (`make next-month`) moves the test split to a newer month: the report compared
    June's metrics with July's and said only "no metric worse than its tolerance"."""
    split = [
        MetricRow(FILE, "test.rows", 20223, 20288),
        MetricRow(FILE, "test.churn_rate", 0.1579, 0.1608),
    ]
    text = render_report(inputs(metrics=[*inputs().metrics, *split]))
    assert text.split("\n")[4] == (
        "**Different test rows:** the metrics of `origin/main` are on 20223 test rows (churn rate "
        "0.1579), those of `workspace` on 20288 test rows (churn rate 0.1608): each change below "
        "is as much the data as the model; `make challenge` scores both models on the same rows."
    )
    same = [
        MetricRow(FILE, "test.rows", 20223, 20223),
        MetricRow(FILE, "test.churn_rate", 0.2, 0.2),
    ]
    first = [MetricRow(FILE, "test.rows", None, 20223)]
    for rows in (same, first):
        assert "Different test rows" not in render_report(inputs(metrics=rows))
    # with both models scored on the same rows, the challenge section leads instead
    challenged = render_report(inputs(metrics=split, challenge=["## Champion and challenger"]))
    assert "Different test rows" not in challenged


def test_no_metrics_at_all_is_stated():
    assert "No metrics found in either revision." in render_report(inputs(metrics=[]))


def test_data_sections_when_the_files_exist():
    data = {
        "validation": {
            "rows_in": 100,
            "rows_valid": 97,
            "rows_quarantined": 3,
            "quarantined_by_reason": {"age: below min": 3},
            "coerced": {},
        },
        "schema": {"added": ["time_spent"], "missing": [], "retyped": [], "new_categories": {}},
        "drift": {
            "drift": True,
            "reason": "1 of 2 features drifted",
            "share_drifted": 0.5,
            "reference_rows": 1000,
            "current_rows": 500,
            "features": {
                "age": {"type": "numeric", "psi": 0.31, "missing_rate_change": 0, "drifted": True},
                "plan": {"type": "categorical", "psi": 0.01, "drifted": False},
            },
        },
    }
    text = render_report(inputs(data=data, drift_thresholds=THRESHOLDS))
    assert "| 100 | 97 | 3 |" in text
    assert "Quarantined by reason: age: below min: 3" in text
    assert "- added: `time_spent`" in text and "- missing: none" in text
    assert "**drift detected**: 1 of 2 features drifted" in text
    assert "| age | PSI | — | **0.3100** | — | — | — | 0 | 0 |" in text and "| plan |" not in text


def test_absent_data_files_are_skipped():
    text = render_report(inputs(data={"validation": None, "schema": None, "drift": None}))
    assert "## Data" not in text


def drift_report(features: dict) -> str:
    drift = {"drift": False, "reason": "no retraining needed", "features": features}
    return render_report(inputs(data={"drift": drift}, drift_thresholds=THRESHOLDS))


def rows_of(text: str) -> dict[str, list[str]]:
    """The drift table's rows by feature name, as lists of cells."""
    table = text.split("| drifted feature |")[1].split("\n\n")[0].splitlines()[2:]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in table]
    return {row[0]: row for row in cells}


def numeric(importance: float, psi: float, wasserstein: float, missing: float = 0.0) -> dict:
    return {
        "type": "numeric",
        "drifted": True,
        "importance": importance,
        "psi": psi,
        "wasserstein": wasserstein,
        "missing_rate_change": missing,
    }


def test_drift_rows_show_the_statistic_that_drifted_most_consequential_first():
    text = drift_report(
        {
            "a_tutorials": numeric(0.03, 0.0, 0.02, missing=-0.8),
            "discount": numeric(0.15, 0.0357, 0.169),
            "tenure": numeric(0.4, 0.25, 0.09),
            "plan": {
                "type": "categorical",
                "drifted": True,
                "importance": 0.1,
                "js": 0.05,
                "psi": 0.01,
                "unseen_share": 0.02,
                "missing_rate_change": 0.0,
            },
            "steady": numeric(0.2, 0.01, 0.01) | {"drifted": False},
        }
    )
    rows = rows_of(text)
    # by effect x importance as the drift stage weighs it (a missing-rate change counts, scaled
    # by drift.psi / drift.missing_rate_change: 0.8 x 4 x 0.03), not by name
    assert list(rows) == ["tenure", "a_tutorials", "discount", "plan"]
    assert rows["a_tutorials"][1:2] == ["missing-rate change"]
    assert rows["a_tutorials"][-2:] == ["**-0.8000**", "**0.0960**"]
    assert rows["discount"][1:5] == ["Wasserstein", "0.1500", "0.0357", "**0.1690**"]
    assert rows["tenure"][1] == "PSI" and rows["tenure"][-1] == "**0.1000**"  # over weighted
    assert rows["plan"][1] == "unseen share" and rows["plan"][6] == "**0.0200**"
    assert "4 of the 5 features the model uses drifted" in text


def test_drift_table_leaves_out_and_names_columns_the_model_does_not_use():
    ignored = numeric(0.0, 0.0, 0.02, missing=-0.8) | {"ignored_column": True}
    steady = numeric(0.1, 0.0, 0.0) | {"drifted": False}
    text = drift_report(
        {"discount": numeric(0.15, 0.0357, 0.169), "tutorials": ignored, "age": steady}
    )
    assert list(rows_of(text)) == ["discount"]
    assert "1 of the 2 features the model uses drifted" in text
    assert (
        "Drifted but not used by the model, so not counted above: "
        "`tutorials` (missing-rate change -0.8000)"
    ) in text


def test_small_sample_effects_count_only_when_significant_and_new_columns_say_so():
    weak = numeric(0.2, 0.3, 0.0, missing=0.1) | {"p_value": 0.5, "missing_p_value": 0.001}
    new = numeric(0.1, 0.0, 0.0) | {"new_column": True}
    rows = rows_of(drift_report({"weak": weak, "new": new}))
    assert rows["weak"][1] == "missing-rate change" and rows["weak"][3] == "0.3000"
    assert rows["new"][1] == "new column"


def test_drift_table_is_cut_at_the_top_ten_saying_so():
    features = {f"f{i:02}": numeric(0.01 * (i + 1), 0.3, 0.0) for i in range(12)}
    text = drift_report(features)
    assert list(rows_of(text)) == [f"f{i:02}" for i in range(11, 1, -1)]
    assert "12 of the 12 features the model uses drifted (the 10 with the largest" in text


def test_a_source_with_thousands_of_new_columns_and_categories_is_summarised():
    """Every added column, new category and drifted ignored column was listed: a wide source
    made a report GitHub refuses as a comment (65,536 characters), and the CML step failed."""
    wide = [f"extra_column_{index:04d}" for index in range(3000)]
    schema = {"added": wide, "missing": [], "retyped": [], "new_categories": {"city": wide}}
    ignored = numeric(0.0, 0.0, 0.5) | {"ignored_column": True}
    drift = {"drift": False, "reason": "", "features": dict.fromkeys(wide, ignored)}
    data = {"schema": schema, "drift": drift}
    text = render_report(inputs(data=data, drift_thresholds=THRESHOLDS))
    assert len(text) < 10_000
    shown = ", ".join(f"`extra_column_{index:04d}`" for index in range(20))
    assert f"- added: {shown} … and 2,980 more (all in `metrics/schema.json`)" in text
    assert "- new categories in `city`: extra_column_0000, " in text
    assert "extra_column_0019 … and 2,980 more (all in `metrics/schema.json`)" in text
    assert (
        "`extra_column_0009` (Wasserstein 0.5000) … and 2,990 more (all in `metrics/drift.json`)"
    ) in text


def test_many_slices_lose_table_rows_not_the_sections_after_them():
    """Hundreds of slices: the report must fit in one pull-request comment. It was cut at the
    budget, so the params, plots and data sections after the slices' table were lost, and
    which slices got worse was left to chance (the first in name order)."""
    slices = [
        MetricRow(FILE, f"slices.segment_{index:04d}.{name}", 0.5, 0.4 if index == 333 else 0.6)
        for index in range(400)
        for name in ("roc_auc", "pr_auc", "f1", "precision", "recall", "lift_top", "churn_rate")
    ]
    data = {"validation": {"rows_in": 10, "rows_valid": 10, "rows_quarantined": 0}}
    text = render_report(inputs(metrics=[*inputs().metrics, *slices], data=data))
    assert len(text) <= 60_000
    assert text.startswith("# Model report: `workspace` vs `origin/main`\n\n**Verdict:** ")
    assert text.count("<details>") == text.count("</details>") == 1
    for kept in ("| train.max_depth | 4 | 2 |", "![ROC curve (test)](roc.png)", "### Validation"):
        assert kept in text
    worse = [f"| slices.segment_0333.{name} | 0.5000 | 0.4000 |" for name in ("f1", "roc_auc")]
    assert all(row in text for row in worse)  # the worse rows first, whatever their names
    shown = text.count("| slices.segment_")
    assert 400 < shown < 2800 and "Cut here" not in text
    assert (
        f"*{2800 - shown:,} more rows not shown, to fit a pull-request comment (worse changes "
        "first); `dvc metrics diff BASE --all` and `dvc params diff BASE` list every change.*"
    ) in text


def test_a_report_too_long_even_without_table_rows_is_cut_saying_so():
    missing = [
        f"ROC curve (test): `metrics/{index:05d}.json` missing in base" for index in range(2000)
    ]
    slices = [MetricRow(FILE, f"slices.s{index:04d}.roc_auc", 0.5, 0.6) for index in range(100)]
    text = render_report(inputs(metrics=slices, missing=missing))
    assert len(text) <= 60_000
    assert text.count("<details>") == text.count("</details>") == 1
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("**Cut here:** the report has ") and last.endswith(
        " characters, more than a pull-request comment holds (65,536); `dvc metrics diff BASE "
        "--all` and `dvc params diff BASE` list every change."
    )


ODD = "a|b [x](/proc/self/environ) ![i](/etc/passwd) <img src=x> </details> `c` *e* ~~s~~ _u_"


def parsed(text: str) -> list:
    """Every inline token of the report as GitHub's markdown (CommonMark and tables) reads it."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    return [token for block in tokens for token in [block, *(block.children or [])]]


def test_odd_names_and_values_are_shown_literally_never_as_links_html_or_cells():
    """Names from params and data reached the report as markup: `[x](/proc/self/environ)` in a
    slice, column or category name became a link, and CML uploads every local file a link or
    image points at to its public asset host; `<b>`, `</details>` and backticks restyled or cut
    the report; a line break ended the table row (and could start a link definition)."""
    rows = [MetricRow(FILE, f"slices.{ODD}.roc_auc", 0.8, 0.7), MetricRow(FILE, "test.f1", 1, 1)]
    broken = "line\n[d]: /etc/shadow"
    drift = {
        "drift": True,
        "reason": f"important feature(s) drifted: {ODD}",
        "features": {
            ODD: {"drifted": True, "psi": 0.5, "importance": 0.5},
            broken: {"drifted": True, "psi": 0.5, "ignored_column": True},
        },
    }
    schema = {"added": [ODD, "a`b"], "new_categories": {ODD: [ODD, broken]}}
    validation = {"rows_in": 1, "coerced": {ODD: 1}, "quarantined_by_reason": {broken: 1}}
    text = render_report(
        inputs(
            verdict=f"⚠ slices.{ODD}.roc_auc worse by 0.1000 (tolerance 0.01) — ROC AUC 0.8000;"
            " first report: the base `origin/main` has no metrics to compare against",
            metrics=rows,
            params=[ParamRow("params.yaml", f"evaluate.slices.{ODD}", None, ODD)],
            data={"drift": drift, "schema": schema, "validation": validation},
            drift_thresholds=THRESHOLDS,
        )
    )
    tokens = parsed(text)
    assert [t.attrs["src"] for t in tokens if t.type == "image"] == ["roc.png"]
    assert not [t for t in tokens if t.type in ("link_open", "s_open", "em_open")]
    html = {t.content.strip() for t in tokens if t.type.startswith("html")}
    assert html <= {"<details><summary>Slices and confusion counts</summary>", "</details>"}
    assert "/etc/shadow" not in {t.attrs.get("href") for t in tokens if t.attrs}
    # each row of each table keeps its cells: the metric tables 6, the params 3, drift 9
    widths = []
    for token in tokens:
        if token.type == "tr_open":
            widths.append(0)
        elif token.type in ("td_open", "th_open"):
            widths[-1] += 1
    assert set(widths) == {6, 3, 9}
    shown = " ".join(t.content for t in tokens if t.type in ("text", "code_inline"))
    for name in ("[x](/proc/self/environ)", "<img src=x>", "</details>", "*e*", "~~s~~", "_u_"):
        assert name in shown
    assert "**Verdict:** ⚠ slices.a\\|b \\[x\\](/proc" in text
    assert "the base `origin/main` has no metrics" in text  # our code span is kept
    assert "the base `HEAD~1` has" in render_report(inputs(verdict="the base `HEAD~1` has"))
    assert ", ``a`b``\n" in text  # a column name holding a backtick: a longer fence
