"""How a message moves through the core: taken in once (`intake`, kept in its claim by `inbox`),
dispatched to the part that serves it (`dispatch`), finished by another replica if its own died
(`takeover`, `replicas`), and the scheduler's tick with the notices it sends."""
