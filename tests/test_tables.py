"""Tables a person can read: the terminal's width, ids and dates whole, prose wrapped or shortened, --lang zh, suggestions."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from graph_builder.cli import main
from graph_builder.query.results import ResultSet, Term, display_width, to_table
from graph_builder.store.build import BuildResult

TIMELINE = ["query", "run", "agency-timeline", "-p", "agency=NFRA"]


def run_at(runner: CliRunner, built: BuildResult, columns: int, *args: str) -> str:
    result = runner.invoke(main, [*args, "--out", str(built.out)], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout  # the table; a note on stderr (e.g. "rebuilding ...") is not part of it


def whole_values(built: BuildResult, runner: CliRunner, args: list[str]) -> dict[str, list[str]]:
    """Every column's values as csv gives them (in full)."""
    rows = list(csv.DictReader(io.StringIO(run_at(runner, built, 80, *args, "--format", "csv"))))
    assert rows
    return {name: [row[name] for row in rows] for name in rows[0]}


@pytest.mark.parametrize("columns", [80, 200])
def test_ids_dates_and_numbers_are_never_broken(runner: CliRunner, built: BuildResult, columns: int) -> None:
    output = run_at(runner, built, columns, *TIMELINE)
    lines = output.splitlines()
    assert max(display_width(line) for line in lines) <= columns
    words = {word for line in lines for word in line.split()}
    values = whole_values(built, runner, TIMELINE)
    for date in values["date"]:
        assert date in words, f"{date} is printed whole"
    for doc in values["doc"]:
        assert doc in words
    for count in values["provisions"]:
        assert count in words
    for actor in values["actor"]:
        assert "agency:" + actor.rsplit("/", 1)[1] in words
    assert "2022-07-1" not in words and "doc:pilot-p" not in output


def test_wide_terminal_gives_prose_the_room_ids_do_not_need(runner: CliRunner, built: BuildResult) -> None:
    lines = run_at(runner, built, 200, *TIMELINE).splitlines()
    header, rule = lines[0], lines[1]
    assert header.split() == ["date", "doc", "docTitle", "role", "provisions", "actor", "actorLabel"], "one header line"
    widths = dict(zip(header.split(), [len(dash) for dash in rule.split()], strict=True))
    assert widths["docTitle"] < 100 and widths["actorLabel"] >= len("National Financial Regulatory Administration")
    assert max(display_width(line) for line in lines) <= 200
    assert "…" not in "\n".join(lines), "nothing is shortened when there is room"


def test_narrow_terminal_shows_records_when_prose_has_no_room(runner: CliRunner, built: BuildResult) -> None:
    output = run_at(runner, built, 80, *TIMELINE)
    assert output.startswith("-- 1 ---")
    assert "docTitle    Opinions on Promoting the High-quality Development of the Foreign" in output
    assert "actorLabel  National Financial Regulatory Administration" in output
    assert output.splitlines()[-1] == "(3 rows)"


def test_prose_is_shortened_only_in_the_table(runner: CliRunner, built: BuildResult) -> None:
    args = ["query", "run", "document-zones", "-p", "doc=plan-2026"]
    table = run_at(runner, built, 80, *args)
    assert "…" in table and "(… marks text shortened to fit" in table
    assert max(display_width(line) for line in table.splitlines()) <= 80
    for fmt in ("csv", "json", "markdown"):
        assert "…" not in run_at(runner, built, 80, *args, "--format", fmt), fmt
    assert "Beijing service-trade innovation demonstration zone" in run_at(runner, built, 80, *args, "--format", "markdown")


def test_table_width_follows_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    result = ResultSet(
        ("id", "text"),
        tuple(
            {"id": Term("uri", f"https://w3id.org/polkg/id/doc/d{i}"), "text": Term("literal", "word " * 40, lang="en")}
            for i in range(3)
        ),
    )
    for columns in (60, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        lines = to_table(result).splitlines()
        assert max(display_width(line) for line in lines) == columns
    monkeypatch.delenv("COLUMNS")
    assert max(display_width(line) for line in to_table(result).splitlines()) <= 80, "80 when the width is unknown"


def test_lang_zh_shows_chinese_labels_where_they_exist(runner: CliRunner, built: BuildResult) -> None:
    output = run_at(runner, built, 200, *TIMELINE, "--lang", "zh")
    assert "国家金融监督管理总局" in output and "中国银行保险监督管理委员会" in output
    assert "商务部等27部门关于推进对外文化贸易高质量发展的意见" in output
    assert "agency:nfra" in output and "2025-09-22" in output, "ids and dates are unchanged"
    data = json.loads(run_at(runner, built, 80, *TIMELINE, "--lang", "zh", "--format", "json"))
    labels = {b["actorLabel"]["value"]: b["actorLabel"].get("xml:lang") for b in data["results"]["bindings"]}
    assert labels["国家金融监督管理总局"] == "zh"
    english = run_at(runner, built, 200, *TIMELINE)
    assert "国家金融监督管理总局" not in english and "National Financial Regulatory Administration" in english
    load = run_at(runner, built, 200, "query", "run", "agency-load", "-p", "doc=opinions-2022", "--lang", "zh")
    assert "商务部" in load and "中共中央宣传部" in load


def test_lang_is_a_choice(runner: CliRunner, built: BuildResult) -> None:
    result = runner.invoke(main, [*TIMELINE, "--lang", 'zh" } #', "--out", str(built.out)])
    assert result.exit_code == 2 and "Invalid value for '--lang'" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["agency-timeline", "-p", "agency=NFRB"], "nfra"),
        (["agency-timeline", "-p", "agency=Culture Bureau"], "mct"),
        (["theme-timeline", "-p", "theme=tourism"], None),
        (["theme-timeline", "-p", "theme=fintech"], "financing"),
    ],
)
def test_unknown_agencies_and_themes_get_the_closest_few(
    runner: CliRunner, built: BuildResult, args: list[str], expected: str | None
) -> None:
    result = runner.invoke(main, ["query", "run", *args, "--out", str(built.out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = result.output.strip()
    match = re.search(r"did you mean (.*)\? 'polkg query run (agencies|themes)' lists them all$", message)
    assert match, message
    suggested = re.findall(r"(?:^|, )([a-z0-9-]+) \(", match.group(1))
    assert 1 <= len(suggested) <= 5, "a few, never the whole list"
    if expected:
        assert expected in suggested
    assert not re.search(r"[\u4e00-\u9fff]", message), "one language"


def test_candidate_listings_keep_to_one_language(runner: CliRunner, built: BuildResult) -> None:
    result = runner.invoke(main, ["query", "run", "agency-timeline", "-p", "agency=商务", "--out", str(built.out)])
    assert result.exit_code == 2
    listing = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len(listing) >= 2
    for line in listing:
        assert not re.search(r"[\u4e00-\u9fff]", line), line
