"""The facts and pure calculators of the litigation-service window.

Imports nothing of ours. Facts live in ``knowledge/data/*.yaml`` (each with a
``source`` and a ``tag``); what a court must set for itself (addresses, phone
numbers, its province's fee amounts, model-text URLs, local court closures)
lives in a court-editable configuration directory read through
:mod:`knowledge.loader`.
"""
