"""Reading the player's server-rendered HTML as text, the way a reader sees it."""

import re
from html import unescape


def text(fragment):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(html, region_id):
    """The text of each row's cells in the table inside the element with this id. The "no
    packet yet" row counts only while there is no step row (CSS hides it otherwise)."""
    chunk = html[html.index(f'id="{region_id}"') :]
    chunk = chunk[: chunk.index("</table>")]
    if "step-row" in chunk:
        chunk = re.sub(r'<tbody class="rows-empty".*?</tbody>', "", chunk, flags=re.S)
    return [
        [_cell_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", chunk, re.S)
    ]


def _cell_text(cell):
    """A tracker cell's "not reached yet" note is hidden once the cell has its text."""
    if "tracker-text" in cell:
        cell = re.sub(r'<span class="tracker-pending[^"]*">.*?</span>', "", cell)
    return text(cell)


def element(html, element_id):
    """The opening tag of the element with this id."""
    return re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', html).group(0)
