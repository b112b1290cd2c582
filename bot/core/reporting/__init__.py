"""What the quiz reports back: `/quiz` leaderboards and stats (`reports`), the web page's
figures (`dashboards`), a member's home, the charts, and the weekly digest (its figures, its
chart, and its posting when due)."""
