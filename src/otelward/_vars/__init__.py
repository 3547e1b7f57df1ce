"""Variable declarations, one module per section; :mod:`otelward._env_vars` assembles them."""
