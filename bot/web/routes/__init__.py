"""The web page's routers, one per area; `bot.web.app` composes them."""
