"""The shipped rule pack (YAML files, not code): installed as the package ``ggzy_rules`` so that a
wheel carries it and ``importlib.resources`` finds it (``pipelines.rules.DEFAULT_RULES_DIR``)."""
