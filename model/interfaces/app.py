"""The what-if page: choose the levers, press Run, read the findings and charts (Solara; ``loopbaan app``).

The page holds no model logic: levers become a scenario and a run against the
law, kept in a warm session, in :mod:`.whatif`; findings and charts are the report's own
(:mod:`model.report.findings`, :mod:`model.report.charts.figures`), in Dutch or
English from the one translation table. The run happens in a thread (``solara.lab.task``), so the
page stays responsive while it simulates.
"""

from __future__ import annotations

import solara
import solara.lab

from ..report import findings, labels, sections
from . import whatif

CHARTS = ("extra_work", "funnel", "reach", "budget", "rate_path")

lang = solara.reactive("nl")
worker_rule = solara.reactive("experience")
reentrants = solara.reactive(False)
reading = solara.reactive("text")
letters = solara.reactive(False)
assisted = solara.reactive(False)
groups = solara.reactive(list(whatif.GROUPS))
followup = solara.reactive(False)
monitoring = solara.reactive(False)
incentive = solara.reactive(False)
# the amounts as typed, in the page's language (read when the levers are checked; rewritten when it changes)
price = solara.reactive(labels.number(whatif.Levers().price, "nl"))
budget_cap_m = solara.reactive("0")
starts = solara.reactive({})  # lever -> first month (YYYY-MM) it acts; a lever not in it acts from 2025-01


def current_levers() -> whatif.Levers:
    """The levers as chosen on the page, checked (a ScenarioError names a bad one in the page's language)."""
    return whatif.Levers.checked(lang=lang.value, worker_rule=worker_rule.value, reentrants=reentrants.value,
                                 reading=reading.value, letters=letters.value, assisted=assisted.value,
                                 groups=tuple(g for g in whatif.GROUPS if g in groups.value), followup=followup.value,
                                 monitoring=monitoring.value, incentive=incentive.value,
                                 price=read_amount(price.value, lang.value),
                                 budget_cap_m=read_amount(budget_cap_m.value, lang.value),
                                 starts={k: v for k, v in starts.value.items() if v != whatif.FROM})


@solara.lab.task(prefer_threaded=True)
def simulate(levers: whatif.Levers):
    """The levers' scenario against the law (in a thread; the law is simulated at the first run only)."""
    import time

    start = time.perf_counter()
    run = whatif.run_levers(levers)
    return run, time.perf_counter() - start


def _download() -> str:
    try:
        return whatif.scenario_yaml(current_levers())
    except whatif.ScenarioError as exc:
        return f"# {exc}\n"


@solara.component
def Choice(key: str, options: dict[str, str], value: solara.Reactive[str], disabled: bool = False):
    """A select whose entries are shown in the page's language and stored as keys."""
    shown = {labels.text(text_key, lang.value): option for option, text_key in options.items()}
    current = next(text for text, option in shown.items() if option == value.value)
    solara.Select(label=labels.text(key, lang.value), values=list(shown), value=current, disabled=disabled,
                  on_value=lambda text: value.set(shown[text]))


def shown_amount(value: float | None, language: str) -> str:
    """An amount as the page shows it: the language's decimal mark, no decimals for a whole number."""
    if value is None or value != value:
        return ""
    return labels.number(value, language, 0 if float(value).is_integer() else 2)


def read_amount(text: str, language: str) -> float | None:
    """An amount typed on the page (``60``, ``60,5`` in Dutch, ``60.5`` in English), or None if it is not a number."""
    thousands, mark = (".", ",") if language == "nl" else (",", ".")
    cleaned = text.strip().replace(" ", "").replace(thousands, "").replace(mark, ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def switch_language(new: str) -> None:
    """Show the page in ``new``, the amounts typed rewritten with its decimal mark (one that is not a number kept)."""
    for amount in (price, budget_cap_m):
        value = read_amount(amount.value, lang.value)
        if value is not None:
            amount.set(shown_amount(value, new))
    lang.set(new)


@solara.component
def Amount(key: str, value: solara.Reactive):
    """A field for an amount, typed in the page's language (one that is not a number is said so by the levers)."""
    solara.InputText(labels.text(key, lang.value), value=value, continuous_update=True, classes=[f"whatif-{key[4:]}"])


@solara.component
def Start(lever: str, disabled: bool = False):
    """The year from whose January ``lever`` acts (the law holds before it)."""
    years = [str(year) for year in range(int(whatif.FROM[:4]), int(whatif.LAST[:4]) + 1)]
    solara.Select(label=labels.text("app.from", lang.value), values=years,
                  value=starts.value.get(lever, whatif.FROM)[:4], disabled=disabled, dense=True,
                  on_value=lambda year: starts.set({**starts.value, lever: f"{year}-01"}),
                  classes=[f"whatif-from-{lever}"], style={"max-width": "90px"})


@solara.component
def Levers():
    """The levers, every one always drawn.

    Those that do not apply are greyed out rather than hidden, so the page's elements keep their
    places and no input ever takes over another's value.
    """
    t = lambda key: labels.text(key, lang.value)  # noqa: E731
    with solara.Row(justify="space-between"):
        Choice("app.rule", {"experience": "app.rule.experience", "recent_work": "app.rule.recent_work"}, worker_rule)
        Start("worker_rule", disabled=worker_rule.value == "experience")
    with solara.Row(justify="space-between"):
        solara.Checkbox(label=t("app.reentrants"), value=reentrants)
        Start("reentrants", disabled=not reentrants.value)
    Choice("app.reading", {"text": "app.reading.text", "strict": "app.reading.strict"}, reading,
           disabled=not reentrants.value)
    with solara.Row(justify="space-between"):
        solara.Checkbox(label=t("app.letters"), value=letters)
        Start("letters", disabled=not letters.value)
    with solara.Row(justify="space-between"):
        solara.Checkbox(label=t("app.assisted"), value=assisted)
        Start("assisted", disabled=not assisted.value)
    names = {labels.group(g, lang.value): g for g in whatif.GROUPS}
    solara.SelectMultiple(t("app.groups"), [n for n, g in names.items() if g in groups.value], list(names),
                          on_value=lambda chosen: groups.set([names[n] for n in chosen]),
                          disabled=not (letters.value or assisted.value))
    for lever, value in (("followup", followup), ("monitoring", monitoring), ("incentive", incentive)):
        with solara.Row(justify="space-between"):
            solara.Checkbox(label=t(f"app.{lever}"), value=value)
            Start(lever, disabled=not value.value)
    with solara.Row(justify="space-between"):
        Amount("app.price", price)
        Start("price")
    with solara.Row(justify="space-between"):
        Amount("app.budget", budget_cap_m)
        Start("budget_cap_m", disabled=not read_amount(budget_cap_m.value, lang.value))


@solara.component
def Results():
    """The findings and charts of the last run, or why there are none."""
    t = lambda key, **v: labels.text(key, lang.value, **v)  # noqa: E731
    if simulate.pending:
        solara.Text(t("app.running"), classes=["whatif-running"])
        solara.ProgressLinear(True)
        return
    if simulate.error:
        solara.Error(t("app.error", message=str(simulate.exception)), classes=["whatif-error"])
        return
    if not simulate.finished or simulate.value is None:
        solara.Info(t("app.not_run"))
        return
    run, seconds = simulate.value
    with solara.Column(classes=["whatif-findings"]):
        solara.Markdown(f"### {t('app.findings')}")
        for warning in sections.warning_lines(run, lang.value):
            solara.Warning(warning)
        for paragraph in findings.sentences(run, lang.value):
            solara.Markdown(paragraph)
        solara.Text(t("app.done", seconds=labels.number(seconds, lang.value, 1)))
    for name in CHARTS:
        figure = run.figure(name, lang.value)
        if figure is not None:
            solara.FigureMatplotlib(figure, format="png", dependencies=[id(run), lang.value, name])


@solara.component
def Language():
    """The page's language (Dutch first)."""
    with solara.ToggleButtonsSingle(value=lang.value, on_value=switch_language):
        for code in labels.LANGUAGES:
            solara.Button(code.upper(), value=code, classes=[f"whatif-lang-{code}"])


@solara.component
def WhatIf():
    """The levers and the run against the law."""
    t = lambda key, **v: labels.text(key, lang.value, **v)  # noqa: E731
    with solara.Columns([1, 2]):
        with solara.Card(style={"min-width": "300px"}):
            Levers()
        with solara.Column():
            solara.Markdown(f"## {t('app.title')}")
            chosen = whatif.page_settings()
            solara.Markdown(t("app.intro" if chosen["scale"] == 1 else "app.intro_scaled",
                              scale=labels.significant(chosen["scale"], lang.value),
                              per=labels.number(1 / chosen["scale"], lang.value), replications=chosen["replications"]))
            problem = None
            try:
                levers = current_levers()
                unchanged = not whatif.overrides(levers)
            except whatif.ScenarioError as exc:
                levers, unchanged, problem = None, False, str(exc)
            with solara.Row():
                solara.Button(t("app.run"), on_click=lambda: simulate(levers), color="primary",
                              disabled=levers is None or unchanged or simulate.pending, classes=["whatif-run"])
                solara.FileDownload(_download, filename="whatif.yaml", label=t("app.download"))
            if problem:
                solara.Error(t("app.error", message=problem), classes=["whatif-error"])
            elif unchanged:
                solara.Info(t("app.unchanged"))
            Results()


# one person's situation, as typed on the page's second tab (numbers as text: a bad one is said, not lost)
person_status = solara.reactive("non_active")
person_worked = solara.reactive("60")
person_spell = solara.reactive("40")
person_benefits = solara.reactive([])
person_age = solara.reactive("45")
person_education = solara.reactive("medium")
person_migration = solara.reactive(False)
person_disability = solara.reactive(False)


def whole_number(text: str) -> int | None:
    """A whole number typed on the page, or None."""
    try:
        return int(text.strip())
    except (AttributeError, ValueError):
        return None


@solara.component
def Person():
    """A calculator for one person: under each shipped scenario, may they order a cheque, why, and who pays what."""
    from . import explain

    t = lambda key, **v: labels.text(key, lang.value, **v)  # noqa: E731
    with solara.Columns([1, 2]):
        with solara.Card(style={"min-width": "300px"}):
            Choice("person.status", {s: f"person.status.{s}" for s in ("employed", "jobseeker", "non_active")},
                   person_status)
            solara.InputText(t("person.months_worked"), value=person_worked, continuous_update=True,
                             classes=["person-months-worked"])
            solara.InputText(t("person.months_in_spell"), value=person_spell, continuous_update=True,
                             classes=["person-months-in-spell"])
            names = {t(f"explain.benefit.{b}"): b for b in ("unemployment", "career_break", "incapacity", "pension")}
            solara.SelectMultiple(t("person.benefits"), [n for n, b in names.items() if b in person_benefits.value],
                                  list(names), on_value=lambda chosen: person_benefits.set([names[n] for n in chosen]),
                                  disabled=person_status.value == "employed")
            solara.InputText(t("person.age"), value=person_age, continuous_update=True, classes=["person-age"])
            Choice("person.education", {e: f"person.education.{e}" for e in ("low", "medium", "high")},
                   person_education)
            solara.Checkbox(label=t("person.migration"), value=person_migration)
            solara.Checkbox(label=t("person.disability"), value=person_disability)
        with solara.Column(classes=["person-answers"]):
            solara.Markdown(f"## {t('person.title')}")
            solara.Markdown(t("person.intro", date=explain.DATE))
            values = {"months_worked": whole_number(person_worked.value),
                      "months_in_spell": whole_number(person_spell.value), "age": whole_number(person_age.value)}
            missing = [key for key, value in values.items() if value is None]
            if missing:
                solara.Error(t("person.not_whole", fields=", ".join(t(f"person.{k}") for k in missing)),
                             classes=["person-error"])
                return
            try:
                situation = explain.Situation.checked(
                    lang=lang.value, status=person_status.value, education=person_education.value,
                    benefits=() if person_status.value == "employed" else tuple(person_benefits.value),
                    migration_background=person_migration.value, work_disability=person_disability.value, **values)
                verdicts = explain.explain(situation, lang=lang.value)
            except whatif.ScenarioError as exc:
                solara.Error(str(exc), classes=["person-error"])
                return
            solara.Markdown("\n".join(f"- {line}" for line in explain.sentences(verdicts, lang.value)))


@solara.component
def Page():
    """The what-if page: the levers against the law, and a calculator for one person."""
    solara.Title(labels.text("app.title", lang.value))
    Language()
    with solara.lab.Tabs():
        with solara.lab.Tab(labels.text("app.tab.whatif", lang.value), classes=["tab-whatif"]):
            WhatIf()
        with solara.lab.Tab(labels.text("app.tab.person", lang.value), classes=["tab-person"]):
            Person()
