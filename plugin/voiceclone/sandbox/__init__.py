"""A local, offline stand-in for the MiniMax speech API (synthetic audio), for tests and the demo.

    with Sandbox() as sandbox:
        client = Client(base_url=sandbox.base_url, api_key="any")
"""
from .server import Sandbox, banner

__all__ = ["Sandbox", "banner"]
