"""The distribution as a user installs it: a wheel in a fresh virtualenv, not the editable checkout."""
