"""The named MiniMax hosts (manifest.yaml lists the same): a command line's choices, without the
rest of the settings."""

PROVIDERS = {
    "minimax-global": "https://api.minimax.io",
    "minimax-cn": "https://api.minimaxi.com",
    "kkiai": "https://www.kkiai.com/minimax",
}
DEFAULT_PROVIDER = "minimax-global"
