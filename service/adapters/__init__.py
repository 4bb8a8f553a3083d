"""What other systems speak, with no web framework: ninjs items (every version) and Superdesk's iMatrics."""
