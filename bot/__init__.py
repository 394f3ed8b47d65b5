"""Everything that touches the world: settings, HTTP app, channels, storage, CLI."""
