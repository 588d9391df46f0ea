"""The one build step setup.cfg cannot declare: the top-level manifest.yaml (the single source of
the version, the actions and the limits) goes into the package, beside version.py, when it is built."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MANIFEST = Path(__file__).resolve().parent / "manifest.yaml"


class BuildWithManifest(build_py):
    """build_py, then the manifest copied into the built package."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "voiceclone" / "manifest.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MANIFEST, target)


setup(cmdclass={"build_py": BuildWithManifest})
