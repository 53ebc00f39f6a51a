"""Every parameter and target points to an entry of docs/sources.md.

And the repository does not depend on files outside it.
"""

import re
import subprocess
from pathlib import Path

import pytest

from model.experiments.calibration.targets import load_targets
from model.params.tree import ParameterTree

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
REFERENCE = re.compile(r"docs/sources\.md#([^\s)\];,]+)")
ANCHOR = re.compile(r'<a id="([^"]*)"></a>')
# Wording that only makes sense next to the old source collection outside the repository.
OUTSIDE_WORDING = ("domain brief", "seed resolution", "seed article", "../shared")
# Check (c): text that points outside the repository.
OUTSIDE_PATHS = ("../shared", "shared/domain", "shared/perf-notes", "domain brief")
THIS_FILE = "tests/test_sources.py"


def anchors() -> set[str]:
    found = ANCHOR.findall(SOURCES.read_text(encoding="utf-8"))
    assert len(found) == len(set(found)), "duplicate anchors in docs/sources.md"
    return set(found)


def reference_problems(references: tuple[str, ...] | list[str], known: set[str]) -> list[str]:
    """What is wrong with one reference list ([] when it is fine)."""
    problems = []
    linked = [a for r in references for a in REFERENCE.findall(r)]
    if not linked:
        problems.append(f"no item refers to docs/sources.md#<anchor>: {list(references)}")
    problems += [f"anchor '#{a}' is not in docs/sources.md" for a in linked if a not in known]
    problems += [f"'{w}' in reference {r!r}" for r in references for w in OUTSIDE_WORDING if w in r.lower()]
    return problems


def test_sources_file_has_well_formed_anchors():
    found = anchors()
    assert {"how-to-cite", "assumptions", "calibration"} <= found
    bad = sorted(a for a in found if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a))
    assert not bad, f"anchors must be lower case, digits and hyphens: {bad}"


def test_reference_check_catches_missing_and_unknown_anchors():
    known = {"vr-2013"}
    assert reference_problems(["Besluit (docs/sources.md#vr-2013)"], known) == []
    assert reference_problems(["Besluit van de Vlaamse Regering 17 mei 2013"], known)
    assert reference_problems(["Besluit (docs/sources.md#vr-2031)"], known)
    assert reference_problems(["Besluit (docs/sources.md#VR-2013)"], known)
    assert reference_problems(["Besluit (docs/sources.md#vr-2013), domain brief"], known)


def test_every_parameter_refers_to_an_existing_source_entry():
    known = anchors()
    tree = ParameterTree.load(calibrated=None)
    assert tree.parameters
    problems = {path: found for path, p in tree.parameters.items()
                if (found := reference_problems(p.reference, known))}
    assert not problems, "\n".join(f"{path}: {'; '.join(found)}" for path, found in problems.items())


def test_every_assumption_refers_to_the_assumptions_entry():
    tree = ParameterTree.load(calibrated=None)
    missing = [path for path, p in tree.parameters.items()
               if p.assumption and "assumptions" not in {a for r in p.reference for a in REFERENCE.findall(r)}]
    assert not missing, f"parameters with assumption: true lacking docs/sources.md#assumptions: {missing}"


def test_every_target_refers_to_an_existing_source_entry():
    known = anchors()
    targets = load_targets()
    assert targets
    problems = {t.name: found for t in targets if (found := reference_problems(t.reference, known))}
    assert not problems, "\n".join(f"{name}: {'; '.join(found)}" for name, found in problems.items())


def repository_files() -> list[str]:
    """Tracked files, and new files not ignored by git (so a new file is checked before it is added)."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"git ls-files not available: {exc}")
    return sorted({name for name in out.decode("utf-8").split("\0") if name})


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary (or missing) file."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_no_file_refers_outside_the_repository():
    offending = {}
    for name in repository_files():
        if name == THIS_FILE:
            continue
        text = text_of(ROOT / name)
        if text is None:
            continue
        lowered = text.lower()
        hits = [p for p in OUTSIDE_PATHS if p in lowered]
        if hits:
            offending[name] = hits
    assert not offending, f"files referring to sources outside the repository: {offending}"


def test_published_transitions_and_the_effect_range_refer_to_existing_source_entries():
    from model.experiments.effects import EFFECTS_FILE
    from model.params.yamlfile import parse_yaml, read_text
    from model.results.flows import TRANSITIONS_FILE

    known = anchors()
    entries = {f"transitions.{name}": entry["reference"]
               for name, entry in parse_yaml(read_text(TRANSITIONS_FILE, ValueError, "t"), "t", ValueError)["transitions"].items()}
    entries.update({f"effects.{name}": entry["reference"]
                    for name, entry in parse_yaml(read_text(EFFECTS_FILE, ValueError, "e"), "e", ValueError).items()})
    assert len(entries) >= 5
    problems = {name: found for name, ref in entries.items() if (found := reference_problems(ref, known))}
    assert not problems, problems
