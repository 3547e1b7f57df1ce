"""Variable declarations, one module per section; :mod:`otelward.config._env_vars` assembles them."""
