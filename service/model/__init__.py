"""The one place the model is called: client, faults, salvage, HTTP transport, embedded server, prompts."""
