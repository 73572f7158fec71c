"""Issues 11 and 12 as user stories with Pilot: the Hong Kong household (deductions with the year's
ceilings, the spouse, separate or joint assessment), social insurance computed for a city, take-home
pay and the employer's cost on both jobs, and the plan tab (when each yuan of relief arrives)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input

from taxcalc import calculate
from taxcalc.figures import BY_NAME
from taxcalc.i18n import figure_text, set_language
from taxcalc.plan import plan
from taxcalc.tui import planning, report
from taxcalc.tui.app import TaxcalcApp
from taxcalc.tui.case import EXAMPLES, HETAO_RESEARCHER
from taxcalc.tui.fields import SECTIONS
from taxcalc.tui.widgets.plan import PlanView

from .test_app import panel, settle, shown, table_cells, text_of, type_into


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def run(story, size=(120, 40), lang="en"):
    async def main():
        app = TaxcalcApp(lang=lang)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await story(app, pilot)
        return app
    return asyncio.run(main())


async def choose(pilot, field: str, value):
    """Go to the field's step and set its control (a Select or a yes/no box)."""
    await pilot.app.screen.query_one("#form").goto_field(field)
    await pilot.pause()
    pilot.app.screen.query_one(f"#f-{field}").value = value
    await settle(pilot)


def field_text(app, field: str, part: str) -> str:
    """What a field row says: its hint, error, or note (the core's note about the input)."""
    widget = app.screen.query_one(f"#row-{field} .field-{part}")
    return str(widget.render()) if widget.display and widget.has_class("shown") else ""


# ---------------------------------------------------------------------------------------------
# the household step


def test_the_household_step_holds_the_deductions_and_the_spouse():
    (household,) = [s for s in SECTIONS if s.id == "household"]
    names = [f.name for f in household.fields]
    assert names[0] == "hk_home_loan_interest" and "hk_donations" in names
    assert names.index("hk_married") < names.index("hk_spouse_income") < names.index("hk_assessment")
    (deductions,) = [s for s in SECTIONS if s.id == "deductions"]
    assert [f.name for f in deductions.fields][:4] == ["social_insurance", "social_insurance_auto", "city",
                                                       "housing_fund_rate"]

    async def story(app, pilot):
        await app.screen.query_one("#form").show_step(6)
        await pilot.pause()
        assert "7 Household" in text_of(app, "#steps")
        groups = [str(w.render()) for w in app.screen.query("#step-household .field-group")]
        assert groups == ["Deductions: each at most the year's ceiling", "The spouse"]
        # each hint has the year's ceiling, read from the tables
        assert field_text(app, "hk_self_education", "hint") == "At most HK$100,000 (2026/27)"
        assert field_text(app, "hk_elderly_care", "hint") == "At most HK$110,000 per parent or grandparent (2026/27)"
        assert field_text(app, "hk_vhis_premiums", "hint") == "At most HK$8,000 per insured person (2026/27)"
        assert field_text(app, "hk_rent", "hint") == ("At most HK$100,000; with home loan interest at most "
                                                      "HK$100,000 together (2026/27)")
        assert field_text(app, "hk_donations", "hint") == ("At most 35% of income less outgoings; nothing below "
                                                           "HK$100 in the year")
        await choose(pilot, "tax_year", 2021)                    # another year: its own ceilings
        await app.screen.query_one("#form").show_step(6)
        await pilot.pause()
        assert field_text(app, "hk_rent", "hint") == "Not deductible in 2021/22"
        assert field_text(app, "hk_lives_with_newborn", "hint") == "No additional ceiling in 2021/22"
    run(story, size=(80, 24))


def test_a_capped_deduction_has_its_note_beside_the_field():
    async def story(app, pilot):
        await type_into(pilot, "hk_self_education", "200000")
        note = field_text(app, "hk_self_education", "note")
        assert note == "! Self-education, HK$: HK$200,000.00 given, HK$100,000.00 used (the year's cap)"
        assert shown(app, "hk_deductions_allowed") == "HK$100,000.00"           # the registry's figure
        expected = calculate({**HETAO_RESEARCHER, "hk_self_education": 200000})
        assert shown(app, "hk_tax") == figure_text(expected.hk_tax, BY_NAME["hk_tax"])
        await type_into(pilot, "hk_rent", "150000")
        await type_into(pilot, "hk_home_loan_interest", "60000")                # one ceiling for both
        assert "home loan interest and rent together are capped at HK$100,000" in field_text(
            app, "hk_home_loan_interest", "note")
        assert "HK$150,000.00 given, HK$100,000.00 used" in field_text(app, "hk_rent", "note")
        await type_into(pilot, "hk_self_education", "50000")                    # under the cap: no note
        assert field_text(app, "hk_self_education", "note") == ""
        await type_into(pilot, "hk_donations", "50")                            # below the minimum
        assert field_text(app, "hk_donations", "note") == "! donations count only when they add up to HK$100 or more"
    run(story)


def test_a_couple_where_joint_assessment_wins():
    async def story(app, pilot):
        # married, the spouse without an income: no household rows
        for name in ("hk_assessment_used", "hk_tax_household", "hk_tax_spouse"):
            assert shown(app, name) == ""
        await type_into(pilot, "hk_spouse_income", "100000")
        expected = calculate({**HETAO_RESEARCHER, "hk_spouse_income": 100000})
        separate = calculate({**HETAO_RESEARCHER, "hk_spouse_income": 100000, "hk_assessment": "separate"})
        assert expected.hk_assessment_used == "joint" and expected.hk_tax_household < separate.hk_tax_household
        assert shown(app, "hk_assessment_used") == "Joint assessment"
        assert shown(app, "hk_tax_household") == "HK$110,205" == figure_text(expected.hk_tax_household,
                                                                              BY_NAME["hk_tax_household"])
        assert shown(app, "hk_tax_spouse") == "HK$8,842"
        assert shown(app, "hk_tax") == "HK$101,363"                               # the person's share
        order = panel(app).order("hongkong")
        assert order.index("hk_assessment_used") < order.index("hk_tax") < order.index("hk_tax_household")
        await choose(pilot, "hk_assessment", "separate")                          # the couple's choice
        assert shown(app, "hk_assessment_used") == "Separate taxation"
        assert shown(app, "hk_tax_household") == figure_text(separate.hk_tax_household, BY_NAME["hk_tax_household"])
        await choose(pilot, "hk_married", False)                                  # a rule across fields
        assert "Married" in field_text(app, "hk_spouse_income", "error")
        assert shown(app, "hk_tax_household") == ""
    run(story)


# ---------------------------------------------------------------------------------------------
# social insurance computed for a city; take-home pay and the employer's cost


def test_social_insurance_computed_with_the_city():
    async def story(app, pilot):
        app.load_example("mainland-employee")                                    # zone none: no city implied
        await settle(pilot)
        assert shown(app, "social_insurance_employer_cny") == "" and shown(app, "employer_cost_cny") == ""
        await type_into(pilot, "social_insurance", "0")
        await choose(pilot, "social_insurance_auto", True)
        city_error = field_text(app, "city", "error")
        assert city_error.startswith("⚠ Compute social insurance needs the city of work")
        assert "the results use no, its default" in field_text(app, "social_insurance_auto", "error")
        assert app.is_running and shown(app, "social_insurance_employer_cny") == ""
        assert field_text(app, "housing_fund_rate", "hint") == "Empty: the city's lowest rate"
        await choose(pilot, "city", "shenzhen")
        assert field_text(app, "city", "error") == "" and str(app.screen.query_one("#r-status").render()) == ""
        assert field_text(app, "housing_fund_rate", "hint") == "Empty: 5%; from 5% to 12% (Shenzhen 2024/25)"
        data = {**EXAMPLES["mainland-employee"][1], "social_insurance": 0, "social_insurance_auto": True,
                "city": "shenzhen"}
        r = calculate(data)
        for name in ("social_insurance_employee_cny", "social_insurance_employer_cny", "take_home_cny",
                     "employer_cost_cny", "hk_take_home", "hk_employer_cost", "take_home_gap_cny"):
            assert shown(app, name) == report.figure_value(r, name), name
        await type_into(pilot, "housing_fund_rate", "0.12")
        r12 = calculate({**data, "housing_fund_rate": "0.12"})
        assert shown(app, "social_insurance_employee_cny") == report.figure_value(r12, "social_insurance_employee_cny")
        assert r12.social_insurance_employee_cny > r.social_insurance_employee_cny
        await type_into(pilot, "housing_fund_rate", "0.2")                       # outside the city's range
        assert "Shenzhen takes a housing fund rate from 5% to 12%" in field_text(app, "housing_fund_rate", "error")
        assert shown(app, "social_insurance_employee_cny") == report.figure_value(r, "social_insurance_employee_cny")
    run(story)


def test_take_home_shows_always_the_household_and_employer_rows_only_when_they_matter():
    async def story(app, pilot):
        for name in ("take_home_cny", "hk_take_home", "hk_take_home_cny", "take_home_gap_cny",
                     "social_insurance_employee_cny"):
            assert shown(app, name), name
        for name in ("social_insurance_employer_cny", "employer_cost_cny", "hk_employer_cost", "hk_assessment_used",
                     "hk_tax_spouse", "hk_tax_household", "hk_tax_household_reduction", "hk_deductions_allowed"):
            assert shown(app, name) == "", name
        assert shown(app, "take_home_cny") == "CN¥872,283.79"
        assert shown(app, "take_home_gap_cny") == "−CN¥26,505.89"
    run(story)


def test_the_form_scrolls_to_the_focused_field():
    async def story(app, pilot):
        await app.screen.query_one("#form").show_step(4)
        await pilot.pause()
        body = app.screen.query_one("#form-body")
        for _ in range(8):
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused.region.y >= body.region.y and app.focused.region.bottom <= body.region.bottom
        assert body.scroll_y > 0
    run(story, size=(80, 24))


# ---------------------------------------------------------------------------------------------
# the plan tab


def test_the_plan_tab_shows_the_subsidy_arriving_the_year_after():
    async def story(app, pilot):
        assert not app.screen.query_one("#plan-box").children                # mounted when first shown
        app.load_example("nansha-foreign-talent")
        await settle(pilot)
        await pilot.press("f7")
        await pilot.pause(0.3)
        assert app.screen.query_one("#tabs").active == "plan"
        assert app.focused.id == "plan-table"
        view = app.screen.query_one(PlanView)
        table = app.screen.query_one("#plan-table", DataTable)
        years = [str(c.label) for c in table.columns.values()][1:]
        assert years == ["2026", "2027", "2028*", "2029*", "2030*", "2031"]
        r = app.case.result
        assert r.relief_kind == "subsidy" and r.relief_paid_in == 2027
        relief = figure_text(r.relief, BY_NAME["relief"])
        received = view.row("cash:relief_received")
        assert received[1:3] == ["CN¥0.00", relief]                        # nothing in 2026; the subsidy in 2027
        assert view.row("relief_paid_in")[1] == "2027"
        assert view.row("cash:relief_received:other")[-1] == relief              # if renewed: 2030's arrives in 2031
        assert view.row("relief")[3] == "CN¥0.00" and view.row("relief:other")[3] == relief
        # the same numbers as the core's plan (taxcalc plan)
        p = plan(r.scenario.model_dump(exclude_none=True), range(2026, 2031), tables=app.case.tables)
        assert view.row("cash:cumulative_gap")[1:6] == [figure_text(c.cumulative_gap, BY_NAME["take_home_cny"],
                                                                    signed=True) for c in p.cash]
        policies = text_of(app, "#plan-policies")
        assert "Relief policy: 2026-2027: GBA talent subsidy above 15%" in policies
        assert "Relief policy, if renewed: 2026-2030: GBA talent subsidy above 15%" in policies
        assert "2028, 2029 and 2030: no mainland tables; those of 2027 are carried forward" in text_of(app, "#plan-notes")
    run(story, size=(80, 24))


async def until(pilot, condition, timeout: float = 10.0) -> None:
    """Wait for the app until ``condition()`` holds (a plan recomputes off the event loop's
    critical path; a fixed pause is flaky on a busy machine)."""
    waited = 0.0
    while not condition():
        assert waited < timeout, "the screen did not update"
        await pilot.pause(0.1)
        waited += 0.1


def test_the_plan_grows_the_wages_and_says_a_bad_rate():
    async def story(app, pilot):
        await pilot.press("f7")
        await until(pilot, lambda: bool(app.screen.query(PlanView)) and
                    app.screen.query_one(PlanView).row("wages")[1:3] == ["CN¥900,000.00", "CN¥900,000.00"])
        view = app.screen.query_one(PlanView)
        growth = app.screen.query_one("#plan-growth", Input)
        growth.focus()
        growth.value = "3%"
        await until(pilot, lambda: view.row("wages")[1:3] == ["CN¥900,000.00", "CN¥927,000.00"])
        grown = plan(HETAO_RESEARCHER, planning.plan_years(app.case.tables, 2026), growth=Decimal("0.03"),
                     tables=app.case.tables)
        assert view.row("take_home_cny:other")[5] == figure_text(grown.years[4].renewed.take_home_cny,
                                                                 BY_NAME["take_home_cny"])
        growth.value = "abc"
        await until(pilot, lambda: text_of(app, "#plan-error") != "")
        error = text_of(app, "#plan-error")
        assert error.startswith("⚠ Growth a year: wages and bonus: not a growth rate")
        assert "the results use 3%, its last valid value" in error
        assert view.row("wages")[2] == "CN¥927,000.00"                          # the last valid rate
        growth.value = "0.02"
        await until(pilot, lambda: text_of(app, "#plan-error") == "" and view.row("wages")[2] == "CN¥918,000.00")
        await pilot.press("f8")                                                 # the rates survive a language switch
        await until(pilot, lambda: app.screen.query_one(PlanView).row("wages")[2] == "¥918,000.00")
        assert app.screen.query_one("#plan-growth", Input).value == "0.02"
    run(story)


def test_the_plan_follows_the_case():
    async def story(app, pilot):
        await pilot.press("f7")
        await pilot.pause(0.3)
        await pilot.press("f2")
        await type_into(pilot, "wages", "600000")
        await pilot.press("f7")
        await pilot.pause(0.3)
        assert app.screen.query_one(PlanView).row("wages")[1] == "CN¥600,000.00"
        await choose(pilot, "tax_year", 2024)
        await pilot.press("f7")
        await pilot.pause(0.3)
        table = app.screen.query_one("#plan-table", DataTable)
        years = [str(c.label) for c in table.columns.values()][1:]
        assert years[0] == "2024" and "2029*" in years                     # to two years after the policies end
    run(story)


def test_a_plan_that_grows_too_large_says_why_above_the_table():
    async def story(app, pilot):
        await type_into(pilot, "wages", "900,000,000")
        await pilot.press("f7")
        await pilot.pause(0.3)
        app.screen.query_one("#plan-growth", Input).value = "50%"
        await pilot.pause(0.3)
        assert text_of(app, "#plan-intro").startswith("⚠ Wages and salaries: grows to ")
        assert ", more than 1,000,000,000" in text_of(app, "#plan-intro")
        assert app.is_running and not app.screen.query_one("#plan-table", DataTable).columns
        app.screen.query_one("#plan-growth", Input).value = "0"
        await pilot.pause(0.3)
        assert text_of(app, "#plan-intro").startswith("2026–2030: the cash")
    run(story, size=(80, 24))


def test_plan_years_run_past_the_policies():
    assert planning.span(2026, 2027) == range(2026, 2031)                 # at least five years
    assert planning.span(2019, 2027) == range(2019, 2030)                 # two after the last policy year
    assert len(planning.span(2019, 2090)) == 40                           # the plan's limit
    # not past the last year a plan covers (taxcalc plan refuses --years 2098-2102): a user's tables
    # may reach 2100, and a policy may run to 2100
    assert planning.span(2098, 2027) == range(2098, 2101) == planning.span(2098, 2100)


# ---------------------------------------------------------------------------------------------
# packages: take-home pay and the employer's cost, readable at 80 columns


def test_packages_show_take_home_and_employer_cost_under_their_side():
    async def story(app, pilot):
        await pilot.press("f6")
        await pilot.pause(0.3)
        pk = app.screen.query_one("#pk-table", DataTable)
        labels = [" ".join(str(pk.get_row_at(k)[0]).split()) for k in range(pk.row_count)]
        heads = ["The mainland job", "The Hong Kong job", "Gaps and the exchange rate"]
        assert [lab for lab in labels if lab in heads] == heads                 # each heading once
        mainland, hongkong, gaps = (labels.index(h) for h in heads)
        assert mainland < labels.index("Take-home pay") < labels.index("Employer's cost") < hongkong
        assert hongkong < labels.index("Hong Kong take-home pay") < labels.index("Hong Kong employer's cost") < gaps
        assert gaps < labels.index("Take-home pay: mainland − Hong Kong")
        cells = table_cells(pk)
        assert cells["Take-home pay"][1] == "CN¥872,283.79"
        first = list(pk.columns.values())[0]
        assert first.width <= 24                                                # labels wrap: two packages in view
        assert pk.get_row_at(labels.index("Relief policy"))[1].plain.count("\n") >= 1   # a long name wraps too
    run(story, size=(80, 24))


def test_packages_in_other_zones_keep_a_computed_social_insurance():
    async def story(app, pilot):
        await type_into(pilot, "social_insurance", "0")
        await choose(pilot, "social_insurance_auto", True)                      # Hetao: Shenzhen implied
        await pilot.press("f6")
        await pilot.pause(0.3)
        pk = app.screen.query_one("#pk-table", DataTable)
        headers = [str(c.label) for c in pk.columns.values()]
        assert headers[3].startswith("3. None (elsewhere)")                     # elsewhere: the Shenzhen tables kept
        cells = table_cells(pk)
        assert cells["Employer's cost"][3] == cells["Employer's cost"][1] != "CN¥1,000,000.00"
    run(story)


def test_the_palette_and_f7_open_the_plan():
    async def story(app, pilot):
        app.show_tab("plan")                                                    # what "view: Plan" runs
        await pilot.pause(0.3)
        assert app.screen.query_one("#tabs").active == "plan"
        from taxcalc.tui.commands import TaxcalcCommands

        titles = [title for title, *_rest in TaxcalcCommands(app.screen)._commands()]
        assert "view: Plan" in titles
    run(story)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_the_plan_tab_in_chinese(lang):
    async def story(app, pilot):
        await pilot.press("f7")
        await pilot.pause(0.3)
        view = app.screen.query_one(PlanView)
        assert view.row("cash:relief_received")[2] == ("¥107,753.79" if lang == "zh-Hans" else "CN¥107,753.79")
    run(story, lang=lang)
