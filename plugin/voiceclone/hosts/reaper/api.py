"""The one door to REAPER's API: the ``RPR_`` functions of the running action script.

REAPER puts the ``RPR_`` wrappers, and ``RPR_defer``/``RPR_atexit`` (which ``reaper_python`` lacks),
into the script's ``__main__`` globals. The action script hands those globals over, so no module here
imports ``reaper_python``. Handles are strings, and a NULL handle is a non-empty string ending in
``0x0000000000000000``; out-parameters come back as tuples echoing every argument.
"""

from typing import Any, Dict

from ...errors import plain

NULL_SUFFIX = "0x0000000000000000"


def is_null(handle: Any) -> bool:
    """True for a NULL handle string (which is truthy, so ``if not handle`` does not work)."""
    return not handle or str(handle).endswith(NULL_SUFFIX)


class Reaper:
    """``rpr.CountTracks(0)`` calls ``RPR_CountTracks(0)`` of the script's namespace."""

    def __init__(self, namespace: Dict[str, Any], python: str, package_path: str):
        self.namespace = namespace
        #: The plugin's own Python, which runs the background jobs (inside REAPER, sys.executable is REAPER).
        self.python = python
        #: The folder holding the voiceclone package, for a Python that does not have it installed.
        self.package_path = package_path

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.namespace["RPR_" + name]
        except KeyError as exc:
            raise AttributeError(f"REAPER has no RPR_{name} in this script's namespace") from exc

    def defer(self, function_name: str, function) -> None:
        """Call ``function()`` on REAPER's next defer tick (RPR_defer takes a code string)."""
        self.namespace[function_name] = function
        self.namespace["RPR_defer"](f"{function_name}()")

    def at_exit(self, function_name: str, function) -> None:
        """Call ``function()`` when the script ends or the user stops it."""
        self.namespace[function_name] = function
        self.namespace["RPR_atexit"](f"{function_name}()")

    def console(self, text: str) -> None:
        self.ShowConsoleMsg(text + "\n")

    def message(self, text: str, title: str = "Voice clone", buttons: int = 0) -> int:
        """A modal message box; never while a job runs."""
        return int(self.ShowMessageBox(text, title, buttons))

    def report(self, error: BaseException) -> None:
        """One plain message for an error; an error that is not the plugin's own is a bug, said so."""
        said = plain(error, bug_fix="Run the action again; if it happens again, report this message.")
        self.message("\n".join(said.user_lines()))
