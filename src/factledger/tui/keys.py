"""Key bindings of the claims screen, and the ``[keys]`` table of factledger.toml that remaps them.

Every binding has an id; ``[keys]`` maps ids to keys (Textual's key names, comma-separated for more
than one), e.g. ``set_supported = "ctrl+s"``. The app hands the result to ``App.set_keymap``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

# The footer shows the bindings with ``show`` in this order, and a narrow terminal cuts it from the right:
# how to get help, search, open what is selected and quit come first, so they are always on screen.
MAIN_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", id="help"),
    Binding("slash", "search", "Search", id="search"),
    Binding("o,enter", "open_reader", "Open capture", id="open_reader"),
    Binding("q", "app.quit", "Quit", id="quit"),
    Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down"),
    Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up"),
    Binding("g,home", "cursor_first", "First", show=False, id="cursor_first"),
    Binding("G,end", "cursor_last", "Last", show=False, id="cursor_last"),
    Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="page_down"),
    Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="page_up"),
    Binding("full_stop,N", "next_attention", "Next needing attention", id="next_attention"),
    Binding("s", "set_status('supported')", "Supported", id="set_supported"),
    Binding("r", "set_status('refuted')", "Refuted", id="set_refuted"),
    Binding("m", "set_status('mixed')", "Mixed", id="set_mixed"),
    Binding("u", "set_status('unverifiable')", "Unverifiable", id="set_unverifiable"),
    Binding("i", "set_status('in_review')", "In review", id="set_in_review"),
    Binding("a", "accept_suggestion", "Accept suggestion", id="accept_suggestion"),
    Binding("c", "cite", "Cite", id="cite"),
    Binding("f", "fetch", "Fetch now", id="fetch"),
    Binding("A", "assign", "Assign", id="assign"),
    Binding("n", "note", "Note", id="note"),
    Binding("e", "edit_claim", "Edit", id="edit_claim"),
    Binding("right_square_bracket", "select_evidence(1)", "Next evidence", show=False, id="next_evidence"),
    Binding(
        "left_square_bracket", "select_evidence(-1)", "Previous evidence", show=False, id="previous_evidence"
    ),
    Binding("F", "filter", "Filter", id="filter"),
    Binding("S", "cycle_sort", "Sort", id="cycle_sort"),
    Binding("x", "clear_filters", "Clear filters", show=False, id="clear_filters"),
    Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
]

# The help screen's sections: every binding id above, by the task a reviewer has in mind.
TASKS: dict[str, tuple[str, ...]] = {
    "move": (
        "cursor_down",
        "cursor_up",
        "page_down",
        "page_up",
        "cursor_first",
        "cursor_last",
        "next_attention",
    ),
    "decide": (
        "set_supported",
        "set_refuted",
        "set_mixed",
        "set_unverifiable",
        "set_in_review",
        "accept_suggestion",
        "assign",
        "note",
        "edit_claim",
    ),
    "evidence": ("cite", "fetch", "next_evidence", "previous_evidence", "open_reader"),
    "find": ("search", "filter", "cycle_sort", "clear_filters"),
    "the app": ("help", "reload", "quit"),
}
# Moving the cursor from the command palette is never quicker than the key itself.
NOT_IN_PALETTE = frozenset(TASKS["move"]) - {"next_attention"}


def main_binding(binding_id: str) -> Binding:
    """The claims screen's binding with this id (as declared; the keymap may have moved its keys)."""
    return next(b for b in MAIN_BINDINGS if isinstance(b, Binding) and b.id == binding_id)


def binding_ids() -> set[str]:
    return {b.id for b in MAIN_BINDINGS if isinstance(b, Binding) and b.id}


def keymap_from_options(options: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The valid part of ``[keys]`` and a list of problems to show (a bad entry never stops the app)."""
    table = options.get("keys", {})
    if not isinstance(table, Mapping):
        return {}, ['[keys] in factledger.toml must be a table of binding id = "key"']
    known = binding_ids()
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        if binding_id not in known:
            problems.append(f"[keys] {binding_id}: no such binding (see ? for the ids)")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"[keys] {binding_id}: the key must be a non-empty string")
        else:
            keymap[binding_id] = keys.strip()
    return keymap, problems


def keys_shown(app: App[Any], binding: Binding) -> str:
    """The keys that run ``binding`` now (after the keymap), as the footer writes them: "j, ↓"."""
    keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
    return ", ".join(
        dict.fromkeys(app.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(","))
    )
