"""Voice Tone Quick Clone: clone a voice from audio through the MiniMax API, keep it as a YAML
preset, and speak with it. Importing the package does nothing but name the version."""

from .version import __version__

__all__ = ["__version__"]
