from playwright.sync_api import sync_playwright

from .base import installed_chromium_version, launch_chromium


def test_the_pinned_playwright_drives_the_installed_chromium():
    installed = installed_chromium_version()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            print(f"Playwright drives Chromium {browser.version}; /usr/bin/chromium --version says {installed}")
            page = browser.new_page()
            page.set_content("<p id=greeting>driven</p>")
            assert page.locator("#greeting").text_content() == "driven"
            assert browser.version.split(".")[0] == installed.split(".")[0]
        finally:
            browser.close()
