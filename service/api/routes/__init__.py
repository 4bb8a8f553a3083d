"""HTTP handlers: thin, typed, one line of work each."""
