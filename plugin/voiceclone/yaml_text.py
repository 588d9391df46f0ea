"""YAML text to data and back, safe types only, through libyaml when PyYAML was built with it.

PyYAML's own parser is pure Python: a clone reads the presets file eight times (every change is a
read-modify-write under the lock), and on a presets file of a few voices those reads alone were a
third of the command's time. libyaml's parser and emitter, with PyYAML's safe constructor and
representer on top, read and write the same documents.

PyYAML itself (8 ms to import) is loaded on the first document read or written, so a command
with no presets file to read never loads it.
"""


class YAMLError(Exception):
    """A document that is not valid YAML (PyYAML's error is its cause), and where (its mark: 0-based
    ``line`` and ``column``), when PyYAML said."""

    def __init__(self, message: str, problem_mark=None):
        super().__init__(message)
        self.problem_mark = problem_mark


def load(text: str):
    """The data in ``text`` (plain YAML types only, as ``yaml.safe_load``)."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise YAMLError(str(exc), getattr(exc, "problem_mark", None)) from exc


def dump(data, **options) -> str:
    """``data`` as YAML text, in the order given, Unicode as it is (as ``yaml.safe_dump``)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, **options)
