import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from lessons.templatetags.markdown import markdown


def test_it_renders_markdown_to_html():
    html = markdown("A *stateful* **firewall**:\n\n- remembers\n- allows replies\n\n`tcp/80`")
    assert html == (
        "<p>A <em>stateful</em> <strong>firewall</strong>:</p>\n"
        "<ul>\n<li>remembers</li>\n<li>allows replies</li>\n</ul>\n"
        "<p><code>tcp/80</code></p>"
    )


def test_its_output_is_marked_safe_for_templates():
    rendered = Template("{% load markdown %}{{ text|markdown }}").render(Context({"text": "*hi*"}))
    assert rendered == "<p><em>hi</em></p>"
    assert isinstance(markdown("x"), SafeString)


def test_raw_html_from_an_author_is_shown_as_text_not_run():
    html = markdown('Look <script>alert("x")</script> here\n\n<div onclick="steal()">block</div>')
    assert "<script" not in html and "<div" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;div onclick" in html


def test_a_script_in_a_code_block_stays_code():
    assert markdown("```\n<script>alert(1)</script>\n```") == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "vbscript:x"])
def test_a_link_with_a_dangerous_scheme_loses_its_address(url):
    html = markdown(f"[click]({url})")
    assert "href" not in html
    assert ">click</a>" in html


def test_links_to_web_pages_keep_their_address_and_leak_no_referrer():
    html = markdown("[AWS docs](https://docs.aws.amazon.com/vpc/) and [home](/)")
    assert '<a href="https://docs.aws.amazon.com/vpc/" rel="noopener noreferrer nofollow">AWS docs</a>' in html
    assert '<a href="/" rel="noopener noreferrer nofollow">home</a>' in html


def test_an_image_keeps_only_its_address_and_text():
    html = markdown('![diagram](/static/diagram.png "Flow")')
    assert html == '<p><img alt="diagram" src="/static/diagram.png" title="Flow"></p>'


def test_tables_render():
    html = markdown("| Step | Result |\n|---|---|\n| 1 | Yes |")
    assert "<th>Step</th>" in html and "<td>Yes</td>" in html


def test_an_identifier_with_underscores_is_not_emphasis():
    assert markdown("see execution_table step 2") == "<p>see execution_table step 2</p>"


@pytest.mark.parametrize("text", ["", None])
def test_nothing_renders_as_nothing(text):
    assert markdown(text) == ""
