"""One module per demo; each defines `DEMO`. Shared plotting helpers live in `_figures`."""
