"""YAML text to data and back, safe types only, through libyaml when PyYAML was built with it.

PyYAML's own parser is pure Python: a clone reads the presets file eight times (every change is a
read-modify-write under the lock), and on a presets file of a few voices those reads alone were a
third of the command's time. libyaml's parser and emitter, with PyYAML's safe constructor and
representer on top, read and write the same documents.
"""

import yaml

YAMLError = yaml.YAMLError
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str):
    """The data in ``text`` (plain YAML types only, as ``yaml.safe_load``)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


def dump(data, **options) -> str:
    """``data`` as YAML text, in the order given, Unicode as it is (as ``yaml.safe_dump``)."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, **options)
