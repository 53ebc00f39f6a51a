"""The what-if page in a real headless browser (the system's Chromium, driven by Selenium).

``loopbaan app`` is started as a user starts it; the test loads the page, checks
that Run waits for a change of lever, switches to English, admits re-entrants,
runs, reads the findings and charts, changes a lever and runs again (only the
new scenario is simulated then), and downloads the scenario, which must
validate as a scenario file. On the second tab it tells one person, under each
shipped scenario, whether they may order a cheque.

The suite runs the page at a small scale (:data:`SCALE`); ``make bench`` runs
this test at full scale (``LOOPBAAN_APP_TEST_SCALE=1``) and reads the seconds of
both runs from the file named by ``LOOPBAAN_APP_TIMINGS``. No assertion here is
on time.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from model.params.scenario import Scenario

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ROOT = Path(__file__).resolve().parents[1]
SCALE = os.environ.get("LOOPBAAN_APP_TEST_SCALE", "0.005")  # the page's scale in this test (make bench: 1)
REPLICATIONS = "2"
RUN_SECONDS = 240 if float(SCALE) < 0.5 else 900  # the wait for a run's findings, at most (not a target)

pytestmark = pytest.mark.skipif(
    (CHROMIUM is None or DRIVER is None) and os.environ.get("LOOPBAAN_BROWSER_TESTS") == "skip",
    reason="no Chromium here and LOOPBAAN_BROWSER_TESTS=skip")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"loopbaan-app-{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "model", "app", "--port", str(port), "--scale", SCALE,
                                "--replications", REPLICATIONS], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
        assert process.poll() is None, f"loopbaan app stopped: see {log.name}"
    else:
        process.terminate()
        pytest.fail(f"the page did not answer within 90 s: see {log.name}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    with socket.socket() as s:  # stopping 'loopbaan app' stopped the page itself: nothing listens any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM and DRIVER, ("the page's test needs Chromium and its driver from the system packages "
                                 "(apt-get install chromium chromium-driver; make test installs them as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1100"):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _wait(driver, condition, seconds, what):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.25).until(condition)
    except TimeoutException:
        shot = driver.downloads / "failure.png"
        driver.save_screenshot(str(shot))
        pytest.fail(f"{what} within {seconds} s (screenshot {shot})")


def _click_text(driver, text):
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.XPATH, f"//*[normalize-space(text())='{text}']")
    driver.execute_script("arguments[0].click();", element)


def _choose(browser, shown: str, option: str) -> None:
    """Open the select that shows ``shown`` and choose ``option``."""
    from selenium.webdriver.common.by import By

    _click_text(browser, shown)
    _wait(browser, lambda d: [e for e in d.find_elements(By.XPATH, f"//*[normalize-space(text())='{option}']")
                              if e.is_displayed()], 20, f"{option} was not offered")
    _click_text(browser, option)


def _type(browser, field: str, text: str) -> None:
    """Replace the text of the input field inside ``field`` (a CSS selector) with ``text``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    element = browser.find_element(By.CSS_SELECTOR, f"{field} input")
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text)


def _run(browser, before: str = "") -> float:
    """Press Run and wait for new findings: the seconds from the click to the findings on the screen.

    Args:
        before: The findings of the run before (the new ones differ: their scenario does, and their time).
    """
    from selenium.webdriver.common.by import By

    def shown(driver) -> bool:
        found = driver.find_elements(By.CSS_SELECTOR, ".whatif-findings")
        try:
            return bool(found) and found[0].text != before
        except StaleElementReferenceException:  # (redrawn between the two calls)
            return False

    from selenium.common.exceptions import StaleElementReferenceException

    start = time.monotonic()
    browser.find_element(By.CSS_SELECTOR, ".whatif-run").click()
    _wait(browser, shown, RUN_SECONDS, "no new findings after Run")
    return time.monotonic() - start


def test_the_page_runs_a_scenario_downloads_it_and_tells_one_person(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server)
    run_button = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".whatif-run"), 90, "the page did not load")[0]
    assert "Wat als? De loopbaancheque" in browser.page_source  # Dutch first
    assert not run_button.is_enabled()  # the levers are the law: nothing to compare yet

    browser.find_element(By.CSS_SELECTOR, ".whatif-lang-en").click()
    _wait(browser, lambda d: "What if? The loopbaancheque" in d.page_source, 20, "the page did not switch to English")
    _click_text(browser, "Admit re-entrants (ask 1)")
    _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".whatif-run").is_enabled(), 20,
          "Run was not enabled by a change of lever")
    # the lever's own start: re-entrants admitted from January 2027 (the law holds before)
    start = browser.find_element(By.CSS_SELECTOR, ".whatif-from-reentrants .v-select__slot")
    browser.execute_script("arguments[0].click();", start)
    _wait(browser, lambda d: [e for e in d.find_elements(By.XPATH, "//*[normalize-space(text())='2027']")
                              if e.is_displayed()], 20, "the start's years were not offered")
    _click_text(browser, "2027")
    _wait(browser, lambda d: "2027" in d.find_element(By.CSS_SELECTOR, ".whatif-from-reentrants").text, 20,
          "the start was not chosen")
    browser.save_screenshot(str(browser.downloads / "before-run.png"))
    seconds = {"first": _run(browser), "next": 0.0}
    text = browser.find_element(By.CSS_SELECTOR, ".whatif-findings").text
    assert "Against the law as it stands, your scenario:" in text
    assert "users over 2025-2034 (90% interval" in text and "people at work in 2034" in text
    intro = browser.find_element(By.XPATH, "//*[contains(text(), 'with 2 replications on common random numbers')]")
    assert ("simulates the whole population" in intro.text) == (float(SCALE) == 1)
    drawn = _wait(browser, lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, "img")
                                      if d.execute_script("return arguments[0].naturalWidth", i) > 300], 60,
                  "the charts were not drawn")
    assert len(drawn) == 5, [i.get_attribute("src")[:40] for i in drawn]
    browser.save_screenshot(str(browser.downloads / "page.png"))

    # another lever: the law is kept from the first run, only the new scenario is simulated
    _click_text(browser, "Monitor the quality of the centres (ask 4)")
    _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".whatif-run").is_enabled(), 20,
          "Run was not enabled after the first run")
    seconds["next"] = _run(browser, text)
    again = browser.find_element(By.CSS_SELECTOR, ".whatif-findings").text
    assert "Against the law as it stands, your scenario:" in again and again != text
    if os.environ.get("LOOPBAAN_APP_TIMINGS"):  # make bench reads them
        Path(os.environ["LOOPBAAN_APP_TIMINGS"]).write_text(json.dumps({**seconds, "scale": float(SCALE)}))

    browser.find_element(By.CSS_SELECTOR, ".whatif-lang-nl").click()  # the same run in Dutch: no new run, the same figures
    _wait(browser, lambda d: "Tegenover de huidige regelgeving geldt voor uw scenario:" in d.page_source, 30,
          "the findings did not switch to Dutch")

    browser.find_element(By.XPATH, "//*[contains(normalize-space(.), 'DOWNLOAD DIT SCENARIO') or "
                                   "contains(normalize-space(.), 'Download dit scenario')][self::button or "
                                   "self::a or self::span]").click()
    path = browser.downloads / "whatif.yaml"
    _wait(browser, lambda d: path.is_file() and path.stat().st_size > 0, 30, "the scenario was not downloaded")
    content = yaml.safe_load(path.read_text())
    scenario = Scenario.from_dict(content)
    assert scenario.lineage[:2] == ["whatif", "law_2025"]
    assert content["overrides"] == {"cheque.eligibility.reentrant.enabled": {"2027-01-01": True},
                                    "centres.monitoring.enabled": {"2025-01-01": True}}

    # an amount as Dutch writes it, and a bad one said in Dutch (Run waits for a good one)
    from selenium.webdriver.common.keys import Keys

    field = browser.find_element(By.CSS_SELECTOR, ".whatif-price input")
    assert field.get_attribute("value") == "60"
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("-5", Keys.TAB)
    _wait(browser, lambda d: "Eigen bijdrage per cheque (euro): geef minstens 0" in d.page_source, 20,
          "a negative price was not refused in Dutch")
    assert not browser.find_element(By.CSS_SELECTOR, ".whatif-run").is_enabled()
    field = browser.find_element(By.CSS_SELECTOR, ".whatif-price input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("20,5", Keys.TAB)
    _wait(browser, lambda d: "geef minstens" not in d.page_source, 20, "a good price did not clear the message")
    browser.find_element(By.CSS_SELECTOR, ".whatif-lang-en").click()  # the amount rewritten with the decimal point
    _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".whatif-price input").get_attribute("value") == "20.50",
          20, "the price was not rewritten in English")

    # the second tab: one person under each shipped scenario
    browser.find_element(By.CSS_SELECTOR, ".whatif-lang-nl").click()
    browser.find_element(By.CSS_SELECTOR, ".tab-person").click()
    # the person the tab starts with: 60 months worked, then 40 months not at work, no benefit (a re-entrant)
    answers = _wait(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".person-answers")
                                        if "law_2025:" in e.text], 30, "no answers for the person")[0]
    assert "law_2025: mag geen cheque bestellen. Waarom: een herintreder, maar herintreders mogen" in answers.text
    assert "herintreders: mag cheque 1 bestellen: de persoon betaalt 60,00 euro" in answers.text
    browser.find_element(By.CSS_SELECTOR, ".whatif-lang-en").click()
    _wait(browser, lambda d: "law_2025: may not order a cheque. Why: a re-entrant, but re-entrants may not order"
          in d.find_element(By.CSS_SELECTOR, ".person-answers").text, 20, "the answers did not switch to English")
    # a worker with 5 years of experience
    _choose(browser, "Not at work, not registered", "At work")
    _type(browser, ".person-months-in-spell", "60")
    _wait(browser, lambda d: "law_2025: may not order a cheque. Why: at work, but with 60 months of work experience; "
          "the 2020 rule asks 84" in d.find_element(By.CSS_SELECTOR, ".person-answers").text, 20,
          "the worker's answer did not come")
    assert "pre2020_rules: may order cheque 1" in browser.find_element(By.CSS_SELECTOR, ".person-answers").text
    # a registered job seeker
    _choose(browser, "At work", "Registered job seeker")
    _type(browser, ".person-months-in-spell", "10")  # (60 worked, then 60 without work or benefit: a re-entrant)
    _wait(browser, lambda d: "law_2025: may not order a cheque. Why: a registered job seeker, served by VDAB"
          in d.find_element(By.CSS_SELECTOR, ".person-answers").text, 20, "the job seeker's answer did not come")
    _type(browser, ".person-age", "abc")
    _wait(browser, lambda d: "Give a whole number for: Age" in d.page_source, 20, "a bad age was not said")
    browser.save_screenshot(str(browser.downloads / "person.png"))



def test_a_bad_port_is_refused():
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    result = CliRunner().invoke(app, ["app", "--port", "70000"])
    assert result.exit_code == 2 and "--port must be from 0 to 65535, got 70000" in result.output
