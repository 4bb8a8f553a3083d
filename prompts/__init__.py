"""The versioned prompt files, installed as the package data of `service.prompts` (see pyproject.toml).

Nothing here is code: this file only lets setuptools' editable install import the mapped directory, which
it does not do for a directory without one. `service.model.prompts.load_prompt` reads the `*.toml` files.
"""
