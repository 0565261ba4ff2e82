"""README's drawing of the stage graph has the edges dvc.yaml gives (a stage's output is
another's dependency): it left out validate -> drift (drift reads models/contract.yaml)."""

from __future__ import annotations

import itertools
import re

import yaml

from tests.helpers import REPO


def drawn_edges() -> set[tuple[str, str]]:
    """(from, to) of the drawing under "## The stage graph": the first line chains the stages;
    a line ending `--> NAME` joins NAME to each stage above a `+` on it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The stage graph", 1)[1].split("```", 2)[1].strip("\n")
    chain, *branches = block.splitlines()
    spans = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[a-z]+", chain.split("(")[0])]
    stages = {i: name for start, end, name in spans for i in range(start, end)}  # by column
    names = [name for _, _, name in spans]
    edges = set(itertools.pairwise(names))
    edges |= (
        {("featurize", "evaluate"), ("split", "evaluate")}
        if "also reads featurize and split" in chain
        else set()
    )
    for line in branches:
        if target := re.search(r"--> (\w+)", line):
            edges |= {(stages[i], target.group(1)) for i, char in enumerate(line) if char == "+"}
    return edges


def declared_edges() -> set[tuple[str, str]]:
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    source = yaml.safe_load((REPO / "params.yaml").read_text())["ingest"]["source"]
    for stage in stages.values():  # the one templated dependency: generate's data/raw
        stage["deps"] = [d.replace("${ingest.source}", source) for d in stage.get("deps", [])]
    outs = {
        name: [next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])]
        for name, stage in stages.items()
    }
    return {
        (source, name)
        for name, stage in stages.items()
        for dep in stage.get("deps", [])
        for source, paths in outs.items()
        if any(dep == path or dep.startswith(f"{path}/") for path in paths)
    }


def test_the_readme_graph_draws_every_edge_of_dvc_yaml():
    assert drawn_edges() == declared_edges()
