"""Entity extractors: each finds one entity type in a normalised message.

Every extractor works on :class:`nlu.normalize.Normalized` text, whose
positions equal the user's own, and returns Rasa entities with the canonical
``value`` of shared/spec/entities.yaml.
"""
