"""A local, offline stand-in for the MiniMax speech API (synthetic audio), for tests and the demo.

Start it, then point the plugin at its ``base_url`` as if it were MiniMax's host, e.g. through
``MINIMAX_BASE_URL`` in the environment of the command line, REAPER or Audacity::

    with Sandbox() as sandbox:
        env = dict(os.environ, MINIMAX_BASE_URL=sandbox.base_url, MINIMAX_API_KEY="any")
        subprocess.run(["voiceclone", "voices", "list"], env=env, check=True)

or talk to it from Python with the plugin's own client::

    from voiceclone.minimax import MiniMaxClient
    from voiceclone.settings import Settings

    with Sandbox() as sandbox:
        settings = Settings.from_env({"MINIMAX_API_KEY": "any", "MINIMAX_BASE_URL": sandbox.base_url})
        with MiniMaxClient(settings) as client:
            client.voices()

Any non-empty key is accepted unless ``Sandbox(api_keys=...)`` names the ones to take.
``voiceclone sandbox`` runs one from the command line and prints its URL (:func:`banner`).
"""

from .server import Sandbox, banner

__all__ = ["Sandbox", "banner"]
